// Writes packages/protocol/test-vectors/update-v1.json (docs/protocol.md §13.4). Run after a
// deliberate change to the update format (and bump its version tag); update-manifest.test.ts fails
// if the code and the file ever disagree.
import { writeFileSync } from 'node:fs';
import { buildUpdateVectors } from '../src/testing/update-vectors.js';

const out = new URL('../test-vectors/update-v1.json', import.meta.url);
writeFileSync(out, JSON.stringify(buildUpdateVectors(), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
