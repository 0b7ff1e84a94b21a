/**
 * Limits (issue 4): a sender cannot flood the family or the toy (per-device message rate, counted in
 * the database so it holds across server nodes), and a family's stored ciphertext has a quota. Both
 * answer with a clear error and change nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { entry, expectStatus, family, pairToy, person, publish, sealedVoice, type Family, type Person, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;
let gran: Person;

const QUOTA = 60_000;
before(async () => {
  const relaxed = { max: 100_000, windowMs: 60_000 };
  server = await startTestServer({
    rateLimits: { global: relaxed, signUp: relaxed, logIn: relaxed, redeemInvitation: relaxed, sendMessage: { max: 3, windowMs: 60_000 } },
    familyStorageBytes: QUOTA,
  });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
  gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

async function send(who: { keys: Person['keys']; as: Credentials }, size = 2000) {
  const voice = await sealedVoice(who.keys, fam.roster, [toy.keys], randomBytes(size));
  const up = await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(voice.blob)}`, { ...who.as, raw: voice.blob });
  if (up.status !== 201) return up;
  return call('POST', `/v1/families/${fam.familyId}/messages`, { ...who.as, body: { envelope: voice.envelope } });
}

test('a sender cannot flood the toy: past the per-device rate the send is a 429 and nothing is queued', async () => {
  for (let i = 0; i < 3; i++) expectStatus(await send(gran), 201, `message ${String(i + 1)}`);
  const refused = await send(gran);
  expectStatus(refused, 429);
  assert.match(refused.text, /sent 3 messages/);
  const inbox = await call<{ messages: unknown[] }>('GET', '/v1/inbox?after=0&limit=200', toy.as);
  assert.equal(inbox.json.messages.length, 3);
  // The limit is per sender: the guardian can still send.
  expectStatus(await send(fam.guardian), 201);
});

test("past the family's storage quota an upload is a 413 that says how much is used, and nothing is stored", async () => {
  let last = await send(fam.guardian, 20_000);
  while (last.status === 201) last = await send(fam.guardian, 20_000);
  expectStatus(last, 413);
  assert.match(last.text, /storage is full/);
  const used = await server.db.selectFrom('blobs').select('size').where('family_id', '=', fam.familyId).execute();
  assert.ok(used.reduce((n, r) => n + r.size, 0) <= QUOTA);
});
