import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../load-config.js';
import { honeycheckerFindings } from '../doctor/index.js';
import { HONEYCHECKER_FILE, openHoneychecker } from '../honeychecker/index.js';

const root = mkdtempSync(join(tmpdir(), 'burrow-hc-doctor-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
const strong = () => randomBytes(32).toString('base64');
let n = 0;
function env(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = join(root, `data${String(n++)}`);
  mkdirSync(dataDir, { mode: 0o700 });
  return {
    BURROW_DATA_DIR: dataDir,
    BURROW_PEPPER: strong(),
    BURROW_HONEYCHECKER_SECRET: strong(),
    ...extra,
  };
}
const checks = (e: Record<string, string>) => honeycheckerFindings(parseConfig(e)).map((f) => f.check);

void test('doctor: a strong, separate honeychecker secret and a closed store outside the data folder pass', () => {
  const e = env();
  const hc = openHoneychecker({
    dir: `${e.BURROW_DATA_DIR ?? ''}-honeychecker`,
    secret: e.BURROW_HONEYCHECKER_SECRET ?? '',
  });
  hc.close();
  assert.deepEqual(checks(e), []);
});

void test('doctor: the honeychecker secret missing, an example, short, or equal to the pepper is a finding', () => {
  const { BURROW_HONEYCHECKER_SECRET: _s, ...unset } = env();
  assert.deepEqual(checks(unset), ['secret-honeychecker']);
  assert.deepEqual(checks(env({ BURROW_HONEYCHECKER_SECRET: 'change-me' })), ['secret-honeychecker']);
  assert.deepEqual(checks(env({ BURROW_HONEYCHECKER_SECRET: 'short-but-not-an-example' })), [
    'secret-honeychecker',
  ]);
  const pepper = strong();
  const same = honeycheckerFindings(
    parseConfig(env({ BURROW_PEPPER: pepper, BURROW_HONEYCHECKER_SECRET: pepper })),
  );
  assert.equal(same[0]?.check, 'secret-honeychecker');
  assert.ok(!same[0]?.problem.includes(pepper), 'a finding never holds the secret');
});

void test('doctor: a honeychecker store other users can read, or one inside the data folder, is a finding', () => {
  const e = env();
  const dir = `${e.BURROW_DATA_DIR ?? ''}-honeychecker`;
  openHoneychecker({ dir, secret: e.BURROW_HONEYCHECKER_SECRET ?? '' }).close();
  chmodSync(join(dir, HONEYCHECKER_FILE), 0o644);
  const found = honeycheckerFindings(parseConfig(e));
  assert.deepEqual(
    found.map((f) => f.check),
    ['honeychecker-permissions'],
  );
  assert.match(found[0]?.fix ?? '', /chmod 600/);
  const inside = env();
  inside.BURROW_HONEYCHECKER_DIR = join(inside.BURROW_DATA_DIR ?? '', 'honeychecker');
  assert.deepEqual(checks(inside), ['honeychecker-location']);
});

void test('doctor: a database without its honeychecker store is a finding (the honeychecker was lost)', () => {
  const e = env();
  writeFileSync(join(e.BURROW_DATA_DIR ?? '', 'burrow.db'), 'not empty', { mode: 0o600 });
  assert.deepEqual(checks(e), ['honeychecker-missing']);
});
