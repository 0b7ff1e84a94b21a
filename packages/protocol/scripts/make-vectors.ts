// Writes packages/protocol/test-vectors/v1.json. Run with `npm run vectors` after a deliberate format
// change (and bump the version tag); vectors.test.ts fails if the code and the file ever disagree.
import { writeFileSync } from 'node:fs';
import { buildVectors } from '../src/testing/vectors.js';

const out = new URL('../test-vectors/v1.json', import.meta.url);
writeFileSync(out, JSON.stringify(await buildVectors(), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
