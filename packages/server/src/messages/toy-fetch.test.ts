/**
 * A toy's blob download and receipt read its token and the message in one statement (auth/hooks.ts
 * toyWithMessage, auth/principal.ts PathMessage; issue #11). The answers are the ones the two reads
 * gave: only a recipient (or the sender) fetches the blob, only a recipient sends a receipt, an
 * unknown or deleted message is a 404, and a token that no longer works is a 401 before anything.
 * A person's device reads its session, device and the message in one statement the same way.
 * Run on PostgreSQL too with BURROW_TEST_PG_URL.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { newMessageId, secureRandom } from '@burrow/protocol';
import { entry, expectStatus, family, pairToy, person, publish, sealedVoice, successor, type Family, type Person, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;
let other: Toy;

before(async () => {
  server = await startTestServer({ postgresUrl: process.env.BURROW_TEST_PG_URL ?? null });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
  other = await pairToy(call, fam);
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

async function send(sender: { keys: Person['keys']; as: Credentials }, recipients: Person['keys'][]) {
  const voice = await sealedVoice(sender.keys, fam.roster, recipients, randomBytes(3000));
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(voice.blob)}`, { ...sender.as, raw: voice.blob }), 201, 'uploadBlob');
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...sender.as, body: { envelope: voice.envelope } }), 201, 'sendMessage');
  return { id: voice.envelope.id, blob: voice.blob };
}

const blobOf = (id: string, who: Credentials) => call('GET', `/v1/messages/${id}/blob`, who);
const receipt = (id: string, who: Credentials) => call('POST', `/v1/messages/${id}/receipts`, { ...who, body: { kind: 'delivered' } });

test('the recipient toy fetches the blob and sends a receipt; the family toy it was not sent to gets 404 for both', async () => {
  const m = await send(fam.guardian, [toy.keys, fam.guardian.keys]);
  const fetched = await blobOf(m.id, toy.as);
  expectStatus(fetched, 200);
  assert.deepEqual(fetched.bytes, new Uint8Array(m.blob));
  expectStatus(await receipt(m.id, toy.as), 204);
  expectStatus(await blobOf(m.id, other.as), 404, 'not a recipient: blob');
  expectStatus(await receipt(m.id, other.as), 404, 'not a recipient: receipt');
  const stored = await server.db.selectFrom('receipts').select('device_id').where('device_id', '=', other.keys.deviceId).execute();
  assert.deepEqual(stored, []);
});

test("the toy fetches the blob of its own answer, but sends no receipt for it; an unknown message id is a 404", async () => {
  const answer = await send(toy, [fam.guardian.keys]);
  expectStatus(await blobOf(answer.id, toy.as), 200, 'sender');
  expectStatus(await receipt(answer.id, toy.as), 404, 'the sender is no recipient');
  const unknown = newMessageId(secureRandom);
  expectStatus(await blobOf(unknown, toy.as), 404);
  expectStatus(await receipt(unknown, toy.as), 404);
});

test('a deleted message is a 404 for the toy it was sent to', async () => {
  const m = await send(fam.guardian, [toy.keys]);
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, fam.guardian.as), 204, 'deleteMessage');
  expectStatus(await blobOf(m.id, toy.as), 404);
  expectStatus(await receipt(m.id, toy.as), 404);
});

test("a person's device: the guardian a toy's answer was sealed to fetches it and sends a receipt; a member it was not sealed to gets 404", async () => {
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member', { sendToToy: true, hearChild: true })]);
  const answer = await send(toy, [fam.guardian.keys]);
  const fetched = await blobOf(answer.id, fam.guardian.as);
  expectStatus(fetched, 200, 'recipient guardian');
  assert.deepEqual(fetched.bytes, new Uint8Array(answer.blob));
  expectStatus(await receipt(answer.id, fam.guardian.as), 204, 'recipient guardian');
  expectStatus(await blobOf(answer.id, gran.as), 404, 'not a recipient: blob');
  expectStatus(await receipt(answer.id, gran.as), 404, 'not a recipient: receipt');
  const unknown = newMessageId(secureRandom);
  expectStatus(await blobOf(unknown, fam.guardian.as), 404);
  expectStatus(await receipt(unknown, fam.guardian.as), 404);
});

test("an unpaired toy's token is refused (401) on both, though the message was sent to it", async () => {
  const leaving = await pairToy(call, fam);
  const m = await send(fam.guardian, [leaving.keys]);
  const next = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== leaving.keys.deviceId), fam.guardian.keys);
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/toys/${leaving.keys.deviceId}/unpair`, { ...fam.guardian.as, body: { roster: next } }),
    200,
    'unpairToy',
  );
  fam.roster = next;
  expectStatus(await blobOf(m.id, leaving.as), 401);
  expectStatus(await receipt(m.id, leaving.as), 401);
  // A malformed message id still meets the token check first, then the schema's 400.
  expectStatus(await blobOf('not-an-id', leaving.as), 401);
  expectStatus(await blobOf('not-an-id', toy.as), 400);
});
