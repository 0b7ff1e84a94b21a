import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hash, parseOptions } from '@node-rs/argon2';
import { ConfigError, defaultArgon2 } from '../config.js';
import { createLogger } from '../logger.js';
import { PASSWORD } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer } from '../testing/start-test-server.js';
import { argon2Params, createPasswordHasher } from './passwords.js';
import { resolvePepper } from './pepper.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'burrow-pepper-'));
  dirs.push(d);
  return d;
};
const secrets = (pepper: string | null) => ({ sessionKey: null, pepper });

test('development without BURROW_PEPPER: a pepper is generated once into <dataDir>/pepper (0600) and logged without its value', () => {
  const dataDir = tmp();
  const lines: string[] = [];
  const log = createLogger('info', { write: (l: string) => void lines.push(l) });
  const first = resolvePepper({ config: { dataDir, production: false, secrets: secrets(null) }, log });
  const file = join(dataDir, 'pepper');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const value = readFileSync(file, 'utf8').trim();
  assert.ok(value.length >= 32);
  assert.match(lines.join('\n'), /generated a development pepper/);
  assert.ok(!lines.join('\n').includes(value), 'the pepper is not logged');
  const again = resolvePepper({ config: { dataDir, production: false, secrets: secrets(null) }, log });
  assert.equal(again.id, first.id);
});

test('production needs BURROW_PEPPER of at least 32 characters', () => {
  const dataDir = tmp();
  assert.throws(() => resolvePepper({ config: { dataDir, production: true, secrets: secrets(null) } }), ConfigError);
  assert.throws(
    () => resolvePepper({ config: { dataDir, production: false, secrets: secrets('too short') } }),
    /at least 32/,
  );
  const p = resolvePepper({ config: { dataDir, production: true, secrets: secrets('x'.repeat(40)) } });
  assert.match(p.id, /^[0-9a-f]{16}$/);
});

test('the pepper is argon2id’s secret: the same hash does not verify under another pepper', async () => {
  const a = createPasswordHasher(resolvePepper({ config: { dataDir: tmp(), production: false, secrets: secrets('a'.repeat(40)) } }));
  const b = createPasswordHasher(resolvePepper({ config: { dataDir: tmp(), production: false, secrets: secrets('b'.repeat(40)) } }));
  const stored = await a.hash(PASSWORD);
  assert.match(stored.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await a.verify(stored, PASSWORD), true);
  assert.equal(await a.verify(stored, 'not the password at all'), false);
  assert.equal(await b.verify(stored, PASSWORD), false);
  // Even if the pepper id were forged to match, the argon2 secret differs.
  const forged = { ...stored, pepperId: (await b.hash('x')).pepperId };
  assert.equal(await b.verify(forged, PASSWORD), false);
});

test('an old unpeppered or weaker hash is upgraded at the next sign-in, transparently', async () => {
  const server = await startTestServer({ argon2: defaultArgon2 });
  try {
    const call = httpClient(server.url);
    const email = 'legacy@example.com';
    const signUp = await call<{ accountId: string }>('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
    assert.equal(signUp.status, 201);
    // As a server before peppers (and with weaker parameters) would have stored it.
    const legacy = await hash(PASSWORD, { ...argon2Params, memoryCost: 8192, timeCost: 1 });
    await server.db.updateTable('accounts').set({ password_hash: legacy, pepper_id: null }).where('email_index', '=', server.services.emails.indexOf(email)).execute();
    const logIn = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
    assert.equal(logIn.status, 200);
    const row = await server.db.selectFrom('accounts').select(['password_hash', 'pepper_id']).where('email_index', '=', server.services.emails.indexOf(email)).executeTakeFirstOrThrow();
    assert.notEqual(row.password_hash, legacy);
    assert.match(row.pepper_id ?? '', /^[0-9a-f]{16}$/);
    const o = parseOptions(row.password_hash);
    assert.deepEqual([o.memoryCost, o.timeCost, o.parallelism], [19456, 2, 1]);
    assert.equal((await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } })).status, 200);
    assert.equal((await call('POST', '/v1/sessions', { body: { email, password: 'wrong password here, sorry' } })).status, 401);
  } finally {
    await server.close();
  }
});
