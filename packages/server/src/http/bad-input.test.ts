/**
 * Regressions found by attack testing (issue #10) and by the fuzz test beside this file, on the real
 * app: each input below once answered 500 (or a misleading 401) and must answer 400 bad_request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signToySettings, type DeviceId, type FamilyId } from '@burrow/protocol';
import { family, pairToy, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call, type Credentials } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;

before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
});
after(async () => {
  await server.close();
});

function assertBadRequest(res: Answer, what: string): void {
  assert.equal(res.status, 400, `${what}: ${res.text.slice(0, 300)}`);
  const body = res.json as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], what);
  assert.equal(body.error.code, 'bad_request', what);
}

test('a non-finite or inexact cursor or limit on the inbox, sent and reviewed lists is a 400', async () => {
  const lists: Array<[string, Credentials]> = [
    ['/v1/inbox', toy.as],
    ['/v1/inbox', fam.guardian.as],
    ['/v1/sent', fam.guardian.as],
    ['/v1/toys/me/reviewed', toy.as],
    [`/v1/families/${fam.familyId}/rosters`, fam.guardian.as],
  ];
  const queries = ['after=1e309', 'after=Infinity', 'after=-Infinity', 'after=1e20', 'after=9007199254740993', 'limit=1e309', 'limit=-1e309', 'limit=Infinity'];
  for (const [path, who] of lists) {
    for (const query of queries) {
      if (path.endsWith('/rosters') && query.startsWith('limit')) continue; // rosters take no limit
      assertBadRequest(await call('GET', `${path}?${query}`, who), `${path}?${query}`);
    }
    // The largest cursor the list's column holds is still a cursor.
    const largest = path.endsWith('/rosters') ? 2_147_483_647 : Number.MAX_SAFE_INTEGER;
    const ok = await call('GET', `${path}?after=${String(largest)}`, who);
    assert.equal(ok.status, 200, `${path}: ${ok.text.slice(0, 200)}`);
  }
});

test('a roster cursor beyond a 32-bit version is a 400 (PostgreSQL stores versions as integer)', async () => {
  for (const after of ['2147483648', '8640000000000001']) {
    assertBadRequest(await call('GET', `/v1/families/${fam.familyId}/rosters?after=${after}`, fam.guardian.as), `rosters?after=${after}`);
    assertBadRequest(await call('GET', `/v1/families/${fam.familyId}/rosters?after=${after}`, toy.as), `rosters?after=${after} as toy`);
  }
});

test('sign-in with a number for the email and a boolean for the password is a 400, not a wrong-password 401', async () => {
  const res = await call('POST', '/v1/sessions', { body: { email: 12345, password: true } });
  assertBadRequest(res, 'sign-in');
  assert.match((res.json as { error: { message: string } }).error.message, /email|password/);
  assertBadRequest(await call('POST', '/v1/accounts', { body: { email: 'x@example.com', password: 123456789012 } }), 'sign-up');
});

test('a JSON body holding 1e309 is a 400 wherever the number sits', async () => {
  const res = await call('POST', `/v1/families/${fam.familyId}/messages`, {
    ...fam.guardian.as,
    raw: '{"envelope":{"v":1,"duration":1e309}}',
    contentType: 'application/json',
  });
  assertBadRequest(res, 'send');
  assert.match((res.json as { error: { message: string } }).error.message, /body\/envelope\/duration/);
});

test('signed toy settings with a version beyond 32 bits are a 400 (PostgreSQL stores versions as integer)', async () => {
  const sign = (version: number) =>
    signToySettings({ v: 1, familyId: fam.familyId as FamilyId, toyId: toy.toyId as DeviceId, version, issuedAt: Date.now(), timeZone: 'Europe/Paris', quietHours: null }, fam.guardian.keys);
  const put = (version: number) => call('PUT', `/v1/families/${fam.familyId}/toys/${toy.toyId}/settings`, { ...fam.guardian.as, body: { settings: sign(version) } });
  assertBadRequest(await put(2_147_483_648), 'settings version 2^31');
  assertBadRequest(await put(Number.MAX_SAFE_INTEGER), 'settings version 2^53 - 1');
  // Nothing was stored: the toy has no settings yet, and the largest stored version is still taken.
  const held = await call('GET', `/v1/families/${fam.familyId}/toys/${toy.toyId}/settings`, fam.guardian.as);
  assert.equal(held.status, 200, held.text);
  assert.equal((held.json as { settings: unknown }).settings, null);
  const ok = await put(2_147_483_647);
  assert.equal(ok.status, 200, ok.text);
});
