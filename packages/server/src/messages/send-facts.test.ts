/**
 * The send's combined read (send-facts.ts): six reads of five owners' tables became one statement.
 * Each decision that read moved keeps deciding: a recipient that published a newer KEM key, a toy the
 * roster lists that is not paired to the family, and a toy whose signed settings put the sender
 * under review — with one recipient, with eight (the longest compiled list) and with twelve (built
 * per call). Run on PostgreSQL too with BURROW_TEST_PG_URL.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { kemPublicKeyOf, signKemKeyRecord, signToySettings, type FamilyId } from '@burrow/protocol';
import { IN_LIST_KEPT } from '../db/compiled.js';
import { assignToyToFamily } from '../devices/store.js';
import { entry, expectStatus, family, pairToy, person, publish, sealedVoice, type Family, type Person, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let gran: Person;
/** Twelve toys paired to the family: recipients enough for lists past IN_LIST_KEPT. */
const toys: Toy[] = [];

before(async () => {
  server = await startTestServer({ postgresUrl: process.env.BURROW_TEST_PG_URL ?? null });
  call = httpClient(server.url);
  fam = await family(call);
  gran = await person(call, 'gran');
  for (let i = 0; i < 12; i++) toys.push(await pairToy(call, fam));
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member', { sendToToy: true, hearChild: true })]);
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** Seals to `recipients`, uploads, sends with `keyEpochs`; the send's answer. */
async function send(sender: { keys: Person['keys']; as: Credentials }, recipients: Toy['keys'][], keyEpochs: Record<string, number> = {}) {
  const voice = await sealedVoice(sender.keys, fam.roster, recipients);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(voice.blob)}`, { ...sender.as, raw: voice.blob }), 201, 'uploadBlob');
  const res = await call<{ error?: { code: string; message: string }; seq?: number }>('POST', `/v1/families/${fam.familyId}/messages`, {
    ...sender.as,
    body: { envelope: voice.envelope, keyEpochs },
  });
  return { res, messageId: voice.envelope.id };
}

const stored = async (messageId: string): Promise<boolean> =>
  (await server.db.selectFrom('messages').select('seq').where('id', '=', messageId).executeTakeFirst()) !== undefined;

/** Every device's newest published KEM epoch, as a sender learns them (listKemKeys). */
async function currentEpochs(): Promise<Record<string, number>> {
  const res = await call<{ records: { deviceId: string; epoch: number }[] }>('GET', `/v1/families/${fam.familyId}/kem-keys`, fam.guardian.as);
  expectStatus(res, 200, 'listKemKeys');
  return Object.fromEntries(res.json.records.map((r) => [r.deviceId, r.epoch]));
}

/** The toy publishes a newer KEM key (epoch `epoch`), as its rotation does (docs/protocol.md §14). */
async function rotate(toy: Toy, epoch: number): Promise<void> {
  const record = signKemKeyRecord(
    { deviceId: toy.keys.deviceId, epoch, kemPublicKey: kemPublicKeyOf(randomBytes(32)), notBefore: Date.now() },
    toy.keys.signSecretKey,
  );
  expectStatus(await call('POST', '/v1/devices/me/kem-keys', { ...toy.as, body: { record } }), 201, 'publishKemKey');
}

test('a send sealed to a key a recipient has since replaced is a 409 and stores nothing, among 1, 8 and 12 recipients', async () => {
  assert.equal(IN_LIST_KEPT, 8, 'the lengths below straddle the compiled ones');
  for (const count of [1, 8, 12]) {
    const recipients = toys.slice(0, count);
    // The last recipient of the list rotated: only its epoch tells the send apart.
    const last = recipients.at(-1)!;
    const stale = await currentEpochs();
    const current = stale[last.keys.deviceId] ?? 0;
    await rotate(last, current + 1);
    const refused = await send(fam.guardian, recipients.map((t) => t.keys), stale);
    expectStatus(refused.res, 409, `${String(count)} recipients, stale`);
    assert.match(refused.res.json.error?.message ?? '', /1 recipient device\(s\) published a newer key/);
    assert.equal(await stored(refused.messageId), false);
    const fresh = { ...stale, [last.keys.deviceId]: current + 1 };
    const accepted = await send(fam.guardian, recipients.map((t) => t.keys), fresh);
    expectStatus(accepted.res, 201, `${String(count)} recipients, current`);
    assert.equal(await stored(accepted.messageId), true);
  }
});

test('a toy the roster lists that is no longer paired to this family is refused as a recipient (400), among 1, 8 and 12', async () => {
  // The API keeps rosters and pairings in step (a roster listing an unpaired toy is refused, an unpair
  // publishes a roster without it); the send checks again for what races them. Here the toy's row
  // moves to another family under the current roster, through its owner (devices/store.ts).
  const elsewhere = await family(call);
  const moved = toys[11]!;
  await assignToyToFamily(server.db, moved.keys.deviceId, elsewhere.familyId, elsewhere.childId);
  try {
    for (const count of [1, 8, 12]) {
      const recipients = [...toys.slice(0, count - 1).map((t) => t.keys), moved.keys];
      const epochs = await currentEpochs();
      const refused = await send(fam.guardian, recipients, epochs);
      expectStatus(refused.res, 400, `${String(count)} recipients`);
      assert.match(refused.res.json.error?.message ?? '', /not paired to this family/);
      assert.equal(await stored(refused.messageId), false);
    }
    // The same send to the toys still paired goes through: the refusal was the moved toy's.
    const epochs = await currentEpochs();
    expectStatus((await send(fam.guardian, toys.slice(0, 11).map((t) => t.keys), epochs)).res, 201);
  } finally {
    await assignToyToFamily(server.db, moved.keys.deviceId, fam.familyId, fam.childId);
  }
});

test("a toy whose signed settings put the sender under review holds the message; sealed to no guardian it is refused", async () => {
  const toy = toys[0]!;
  const settings = signToySettings(
    {
      v: 2,
      familyId: fam.familyId as FamilyId,
      toyId: toy.keys.deviceId,
      version: 1,
      issuedAt: Date.now(),
      timeZone: 'UTC',
      quietHours: null,
      volume: 50,
      review: [gran.keys.deviceId],
    },
    fam.guardian.keys,
  );
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/toys/${toy.keys.deviceId}/settings`, { ...fam.guardian.as, body: { settings } }),
    200,
    'putToySettings',
  );
  const epochs = await currentEpochs();
  // To the toy alone: no guardian could review it.
  const alone = await send(gran, [toy.keys], epochs);
  expectStatus(alone.res, 400);
  assert.match(alone.res.json.error?.message ?? '', /waits for a guardian's review/);
  assert.equal(await stored(alone.messageId), false);
  // To the toy and the guardian: stored, held for the toy, listed for review, not in the toy's inbox.
  const held = await send(gran, [toy.keys, fam.guardian.keys], epochs);
  expectStatus(held.res, 201);
  const reviews = await call<{ reviews: { messageId: string; toyIds: string[] }[] }>('GET', `/v1/families/${fam.familyId}/reviews`, fam.guardian.as);
  expectStatus(reviews, 200);
  assert.deepEqual(reviews.json.reviews.find((r) => r.messageId === held.messageId)?.toyIds, [toy.keys.deviceId]);
  const inbox = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox?after=0&limit=200', toy.as);
  assert.equal(inbox.json.messages.some((m) => m.envelope.id === held.messageId), false);
  // The guardian's own messages to the same toy are not held: the hold is the sender's.
  const own = await send(fam.guardian, [toy.keys], epochs);
  expectStatus(own.res, 201);
  const after = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox?after=0&limit=200', toy.as);
  assert.equal(after.json.messages.some((m) => m.envelope.id === own.messageId), true);
  // Another toy of the family, without settings, gets gran's message at once.
  const other = await send(gran, [toys[1]!.keys], epochs);
  expectStatus(other.res, 201);
  const otherInbox = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox?after=0&limit=200', toys[1]!.as);
  assert.equal(otherInbox.json.messages.some((m) => m.envelope.id === other.messageId), true);
});
