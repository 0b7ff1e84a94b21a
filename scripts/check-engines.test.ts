/** `engines` tells the truth: scripts/check-engines.mjs on the real lockfile and on made-up ones. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const script = new URL('./check-engines.mjs', import.meta.url).pathname;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function check(ours: string, packages: Record<string, unknown>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'engines-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', engines: { node: ours } }));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } }));
  const r = spawnSync(process.execPath, [script, join(dir, 'package-lock.json')], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('every package in our lockfile accepts the Node versions package.json claims', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ engines/);
});

test('a dependency that needs Node 22 fails a Node 20 claim, naming it; one that accepts Node 18 passes', () => {
  const needs22 = check('^20.19.0 || >=22.13.0', {
    'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
    'node_modules/fine': { version: '1.0.0', engines: { node: '>=18' } },
  });
  assert.equal(needs22.status, 1);
  assert.match(needs22.out, /cookie@2\.0\.2 needs node >=22/);
  assert.ok(!needs22.out.includes('fine@'), needs22.out);
  const overridden = check('^20.19.0 || >=22.13.0', { 'node_modules/cookie': { version: '1.1.1', engines: { node: '>=18' } } });
  assert.equal(overridden.status, 0, overridden.out);
});

test('a claim wider than a dependency allows fails too: >=20.19 includes Node 21, which eslint refuses', () => {
  const r = check('>=20.19', { 'node_modules/eslint': { version: '10.15.0', engines: { node: '^20.19.0 || ^22.13.0 || >=24' } } });
  assert.equal(r.status, 1);
  assert.match(r.out, /eslint@10\.15\.0/);
});
