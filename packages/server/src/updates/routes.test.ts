/**
 * The update mirror over real HTTP: a toy finds and downloads the newest bundle it may apply, and
 * what it downloads verifies under the release key; the server refuses torn bundles, duplicate
 * versions and HTTP uploads without the operator token. (security.txt is tested beside it.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { decodeUpdateBundle, encodeUpdateBundle, generateReleaseKey, signUpdate, utf8, verifyUpdate } from '@burrow/protocol';
import { systemClock } from '../clock/index.js';
import { isAppError } from '../errors/index.js';
import { family, pairToy, registerToy, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createUpdates } from './service.js';
import { versionKey } from './store.js';

const release = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
const bundle = (version: string, minVersion = '0.0.1', target = 'burrow-toy') =>
  encodeUpdateBundle(signUpdate({ target, version, minVersion, releasedAt: 1, notes: `v${version}` }, utf8(`code ${version}`), release.secretKey));

let server: TestServer;
let call: Call;
let toy: Toy;
before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
  toy = await registerToy(call);
  const updates = createUpdates({ db: server.db, clock: systemClock });
  for (const [v, min] of [['0.2.0', '0.1.0'], ['0.10.0', '0.2.0'], ['0.9.0', '0.1.0']] as const) await updates.upload(bundle(v, min));
  await updates.upload(bundle('5.0.0', '0.0.1', 'burrow-lamp'));
});
after(() => server.close());

test('versions sort numerically in the store', () => {
  assert.ok(versionKey('0.10.0') > versionKey('0.9.0'));
});

test('a toy gets the newest bundle it may apply over its version, and the bytes verify under the release key', async () => {
  const latest = async (current: string) => (await call<{ manifest: { version: string } | null }>('GET', `/v1/toys/me/update?target=burrow-toy&current=${current}`, toy.as)).json.manifest?.version ?? null;
  assert.equal(await latest('0.1.0'), '0.9.0', '0.10.0 needs 0.2.0 first');
  assert.equal(await latest('0.2.0'), '0.10.0');
  assert.equal(await latest('0.10.0'), null, 'up to date');
  const got = await call('GET', '/v1/toys/me/update/bundle?target=burrow-toy&version=0.9.0', toy.as);
  assert.equal(got.status, 200);
  verifyUpdate(decodeUpdateBundle(got.bytes), { releaseKey: release.publicKey, target: 'burrow-toy', installedVersion: '0.1.0' });
});

test('update routes need a toy token and well-formed queries', async () => {
  assert.equal((await call('GET', '/v1/toys/me/update?target=burrow-toy&current=0.1.0')).status, 401);
  assert.equal((await call('GET', '/v1/toys/me/update?target=burrow-toy&current=1.x', toy.as)).status, 400);
  assert.equal((await call('GET', '/v1/toys/me/update/bundle?target=burrow-toy&version=7.7.7', toy.as)).status, 404);
});

test('the mirror refuses a truncated bundle and a version it already holds', async () => {
  const updates = createUpdates({ db: server.db, clock: systemClock });
  const good = bundle('1.0.0');
  await assert.rejects(updates.upload(good.subarray(0, good.length - 1)), (e: unknown) => isAppError(e, 'bad_request'));
  await assert.rejects(updates.upload(bundle('0.9.0')), (e: unknown) => isAppError(e, 'conflict'));
});

test('an HTTP upload without a token is 401, and 403 with any token while none is configured', async () => {
  assert.equal((await call('POST', '/v1/updates', { raw: bundle('2.0.0') })).status, 401);
  const r = await call('POST', '/v1/updates', { raw: bundle('2.0.0'), token: 'a'.repeat(40) });
  assert.equal(r.status, 403);
  assert.match(r.text, /BURROW_UPDATES_TOKEN/);
  assert.equal((await call('POST', '/v1/updates', { raw: bundle('2.0.0'), token: toy.token })).status, 403, 'a toy token is no operator token');
});

test('/.well-known/security.txt names a contact, an expiry within a year and the preferred language', async () => {
  const r = await call('GET', '/.well-known/security.txt');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(r.text, /^Contact: mailto:security@/m);
  const expires = Date.parse(/^Expires: (.+)$/m.exec(r.text)?.[1] ?? '');
  assert.ok(expires > Date.now() && expires < Date.now() + 366 * 86_400_000);
  assert.match(r.text, /^Preferred-Languages: en$/m);
});

test("a toy's check-in shows to its family's members, with the newer version it may take; others are refused", async () => {
  const fam = await family(call);
  const paired = await pairToy(call, fam);
  const path = `/v1/families/${fam.familyId}/toys/${paired.toyId}/update-status`;
  assert.deepEqual((await call('GET', path, { token: fam.guardian.token })).json, { status: null });
  const put = await call('PUT', '/v1/toys/me/update-status', { ...paired.as, body: { target: 'burrow-toy', version: '0.2.0', state: 'rolled_back', detail: '0.10.0 failed to start' } });
  assert.equal(put.status, 204);
  const seen = await call<{ status: { version: string; state: string; detail: string; available: string | null } }>('GET', path, { token: fam.guardian.token });
  assert.equal(seen.status, 200);
  assert.deepEqual({ ...seen.json.status, reportedAt: 0 }, { version: '0.2.0', state: 'rolled_back', detail: '0.10.0 failed to start', reportedAt: 0, available: '0.10.0' });
  const stranger = await family(call);
  assert.ok([403, 404].includes((await call('GET', path, { token: stranger.guardian.token })).status));
  assert.equal((await call('PUT', '/v1/toys/me/update-status', { ...paired.as, body: { target: 'burrow-toy', version: '1', state: 'current' } })).status, 400);
});
