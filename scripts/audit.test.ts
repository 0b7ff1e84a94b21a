/** The dependency audit's offline fallback (scripts/audit.mjs --offline) on the real lockfile and made-up ones. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const script = new URL('./audit.mjs', import.meta.url).pathname;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sha = 'sha512-' + 'A'.repeat(86) + '==';

function audit(packages: Record<string, unknown>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } }));
  const r = spawnSync(process.execPath, [script, '--offline', '--lock', dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('our production tree matches no known advisory and is pinned by sha512', () => {
  const r = spawnSync(process.execPath, [script, '--offline'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ audit \(offline/);
});

test('a production package in a vulnerable range fails, naming the advisory; the same as a dev dependency does not', () => {
  const vulnerable = audit({ 'node_modules/ws': { version: '8.17.0', integrity: sha } });
  assert.equal(vulnerable.status, 1);
  assert.match(vulnerable.out, /ws@8\.17\.0: GHSA-3h5v-q93c-6h6q \(high\)/);
  assert.equal(audit({ 'node_modules/ws': { version: '8.17.0', integrity: sha, dev: true } }).status, 0);
  assert.equal(audit({ 'node_modules/ws': { version: '8.17.1', integrity: sha } }).status, 0);
});

test('a production package from git or without an sha512 integrity fails', () => {
  const git = audit({ 'node_modules/x': { version: '1.0.0', resolved: 'git+ssh://git@example.com/x.git#abc', integrity: sha } });
  assert.equal(git.status, 1);
  assert.match(git.out, /x@1\.0\.0: not pinned/);
  assert.equal(audit({ 'node_modules/y': { version: '1.0.0', integrity: 'sha1-abc' } }).status, 1);
});
