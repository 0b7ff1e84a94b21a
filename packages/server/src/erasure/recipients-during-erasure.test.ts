/**
 * A send racing the deletion of one of its recipient devices (issue 13 item 2), on SQLite and on
 * PostgreSQL (BURROW_TEST_PG_URL): the recipient's account erased, or the toy unpaired, after the
 * send checked the roster and before it queued the message. The send answers as for the devices that
 * remain (201, queued for them), never a 500, and no `message_recipients` row names the deleted
 * device afterwards (docs/privacy.md: a deleted device's queue goes with it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceCaller } from '../auth/index.js';
import { ManualClock } from '../clock/index.js';
import { rosterHash } from '@burrow/protocol';
import { insertRoster } from '../families/store.js';
import { syncMembers } from '../families/rosters.js';
import { createMessages } from '../messages/service.js';
import { insertMessage } from '../messages/store.js';
import { PASSWORD, entry, expectStatus, pairToy, person, publish, sealedVoice, successor, type Family, type Person } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { eraseAccountRows } from './account.js';
import { beforeFirstTransaction, raceServerForFile, settledFamily, whileHeld, type RaceServer } from './test-support.js';

let server: TestServer;
let call: Call;
let errors: string[];
let logger: RaceServer['logger'];
raceServerForFile((race) => ({ server, call, errors, logger } = race));

/** A family with a toy and an uncle, and the guardian's message to all three devices, sealed and uploaded. */
async function aboutToSend() {
  const fam = await settledFamily(server, call);
  const toy = await pairToy(call, fam);
  const uncle = await person(call, 'uncle');
  await publish(call, fam, [...fam.roster.devices, entry(uncle.keys, 'member')]);
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys, fam.guardian.keys, uncle.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'upload');
  await server.services.activity.flush();
  return { fam, toy, uncle, voice };
}

/** The guardian's request as the auth hook read it (the send's checks start right after). */
const asGuardian = (fam: Family): DeviceCaller => ({
  kind: 'person',
  deviceId: fam.guardian.keys.deviceId,
  accountId: fam.guardian.accountId,
  membership: { familyId: fam.familyId, role: 'guardian' },
});

/** A messages service on the real database whose `step` runs after the send's reads, before its insert's transaction. */
const messagesWith = (step: () => Promise<void>) =>
  createMessages({ db: beforeFirstTransaction(server.db, step), blobs: server.blobs, bus: server.bus, clock: new ManualClock(Date.now()), log: logger });

/** The devices a message is queued for (the test's instrument), sorted. */
async function queuedFor(messageId: string): Promise<string[]> {
  const rows = await server.db
    .selectFrom('message_recipients')
    .innerJoin('messages', 'messages.seq', 'message_recipients.message_seq')
    .select('message_recipients.device_id')
    .where('messages.id', '=', messageId)
    .execute();
  return rows.map((r) => r.device_id).sort();
}

/** The messages still queued for `deviceId`, whose device row must be deleted (the test's instrument). */
async function queuedTo(deviceId: string): Promise<number[]> {
  const device = await server.db.selectFrom('devices').select('id').where('id', '=', deviceId).executeTakeFirst();
  assert.equal(device, undefined, 'the device is deleted');
  const rows = await server.db.selectFrom('message_recipients').select('message_seq').where('device_id', '=', deviceId).execute();
  return rows.map((r) => r.message_seq);
}

/** The guardian signs the uncle's device out of the roster, so his account's erasure deletes it (no roster lists it). */
const signOut = (fam: Family, uncle: Person) => publish(call, fam, fam.roster.devices.filter((d) => d.id !== uncle.keys.deviceId));

test("a send whose recipient's account is erased after its checks answers 201, queued for the devices that remain and for no deleted device", async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  const messages = messagesWith(async () => {
    await signOut(fam, uncle);
    expectStatus(await call('POST', '/v1/me/deletion', { token: uncle.token, body: { password: PASSWORD } }), 204, 'deleteAccount');
  });
  const sent = await messages.sendMessage(asGuardian(fam), fam.familyId, voice.envelope);
  assert.equal(sent.messageId, voice.envelope.id);
  assert.deepEqual(await queuedFor(voice.envelope.id), [toy.toyId, fam.guardian.keys.deviceId].sort(), 'queued for the toy and the guardian only');
  assert.deepEqual(await queuedTo(uncle.keys.deviceId), [], 'a recipient row names the deleted device');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

test('a send whose recipient toy is unpaired after its checks answers 201, queued for the guardian only', async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  const messages = messagesWith(async () => {
    const next = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== toy.toyId), fam.guardian.keys);
    expectStatus(await call('POST', `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`, { ...fam.guardian.as, body: { roster: next } }), 200, 'unpairToy');
    fam.roster = next;
  });
  const sent = await messages.sendMessage(asGuardian(fam), fam.familyId, voice.envelope);
  assert.equal(sent.messageId, voice.envelope.id);
  assert.deepEqual(await queuedFor(voice.envelope.id), [fam.guardian.keys.deviceId, uncle.keys.deviceId].sort(), 'queued for the people only');
  assert.deepEqual(await queuedTo(toy.toyId), [], 'a recipient row names the unpaired toy');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

test("a send made while its recipient's account is being erased answers 201 without it (PostgreSQL: it waits for the erasure) or 400 (SQLite: it reads the roster after), never 500", async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  // The guardian's sign-out and the uncle's erasure in one open transaction: the send (PostgreSQL)
  // reads the roster that still lists him, then queues the message while the erasure is uncommitted.
  const next = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== uncle.keys.deviceId), fam.guardian.keys);
  const { statuses, bodies } = await whileHeld(
    server,
    async (trx) => {
      await insertRoster(trx, next, rosterHash(next), Date.now());
      await syncMembers(trx, next);
      return eraseAccountRows(trx, server.services.emails, { accountId: uncle.accountId, email: uncle.email, devices: [uncle.keys.deviceId], rosters: [] });
    },
    { send: () => call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } }) },
  );
  assert.deepEqual(statuses, { send: server.dialect === 'sqlite' ? 400 : 201 }, bodies);
  assert.deepEqual(
    await queuedFor(voice.envelope.id),
    server.dialect === 'sqlite' ? [] : [toy.toyId, fam.guardian.keys.deviceId].sort(),
    'a 201 send is queued for the devices that remain',
  );
  assert.deepEqual(await queuedTo(uncle.keys.deviceId), [], 'a recipient row names the deleted device');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

test("an erasure that comes while a send holds its recipient device waits for the send, then drops what it queued: the message only that device could fetch goes", async () => {
  const { fam, uncle, voice } = await aboutToSend();
  await signOut(fam, uncle);
  const { statuses, bodies } = await whileHeld(
    server,
    // The send's own write (messages/store.ts), in a transaction held open after it queued the message.
    (trx) =>
      insertMessage(
        trx,
        { id: voice.envelope.id, familyId: fam.familyId, senderId: fam.guardian.keys.deviceId, envelope: JSON.stringify(voice.envelope), blobHash: voice.hash, createdAt: Date.now() },
        [uncle.keys.deviceId],
      ),
    { deletion: () => call('POST', '/v1/me/deletion', { token: uncle.token, body: { password: PASSWORD } }) },
  );
  assert.deepEqual(statuses, { deletion: 204 }, bodies);
  assert.deepEqual(await queuedTo(uncle.keys.deviceId), [], 'a recipient row names the deleted device');
  const message = await server.db.selectFrom('messages').select('seq').where('id', '=', voice.envelope.id).executeTakeFirst();
  assert.equal(message, undefined, 'the message only the deleted device could fetch is deleted with its queue');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

test("a send made while its recipient's account is being erased, whose device a roster still lists, answers 201 and queues nothing for the detached device", async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  const { statuses, bodies } = await whileHeld(
    server,
    // The roster still lists the uncle's device: his erasure detaches it (public keys only, owned by nobody).
    (trx) => eraseAccountRows(trx, server.services.emails, { accountId: uncle.accountId, email: uncle.email, devices: [uncle.keys.deviceId], rosters: [fam.roster] }),
    { send: () => call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } }) },
  );
  // PostgreSQL: the send waited for the erasure's lock on the device, then found it ownerless;
  // SQLite: it ran after the commit and found it ownerless. No session can fetch for it either way.
  assert.deepEqual(statuses, { send: 201 }, bodies);
  const detached = await server.db.selectFrom('devices').select('account_id').where('id', '=', uncle.keys.deviceId).executeTakeFirst();
  assert.deepEqual(detached, { account_id: null }, 'the device is detached, not deleted');
  assert.deepEqual(await queuedFor(voice.envelope.id), [toy.toyId, fam.guardian.keys.deviceId].sort(), 'queued for the toy and the guardian only');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});
