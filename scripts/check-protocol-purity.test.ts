import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const script = new URL('./check-protocol-purity.mjs', import.meta.url).pathname;

function check(source: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'purity-'));
  try {
    writeFileSync(join(dir, 'module.ts'), source);
    return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' }).status ?? -1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the purity check passes the real protocol package', () => {
  assert.equal(spawnSync(process.execPath, [script]).status, 0);
});

test('the purity check fails the build when protocol code reaches Node, the DOM or ambient I/O', () => {
  assert.equal(check("import { sha256 } from '@noble/hashes/sha2.js';\nexport const h = sha256;\n"), 0);
  // The words as values, not keywords: a field read and a string (protocol/succession.ts has both).
  assert.equal(check("export const f = (r: { from: string }) => [r.from, 'from', \"import\"];\n"), 0);
  for (const bad of [
    "import { readFileSync } from 'node:fs';",
    "import fs from 'fs';",
    "import { Kysely } from 'kysely';",
    'export const w = window.location;',
    "export const d = document.querySelector('x');",
    'export const t = Date.now();',
    'export const r = Math.random();',
    "export const f = fetch('/x');",
    'export const b = Buffer.from([1]);',
  ]) {
    assert.equal(check(bad), 1, bad);
  }
});
