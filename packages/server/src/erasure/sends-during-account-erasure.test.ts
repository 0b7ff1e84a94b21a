/**
 * A send racing its sender's account erasure (issue 13 item 2), on SQLite and on PostgreSQL
 * (BURROW_TEST_PG_URL). The outcome is defined by what the send read before the erasure committed:
 *
 * - its session read after the commit: 401 (the session went with the account), nothing stored;
 * - its session read before: 201, and the message is the family's, delivered like one sent a moment
 *   earlier — deleting an account does not recall what it sent (docs/privacy.md "Deleting your
 *   account"). Nothing it writes names the account (a message names its sender's device, which a
 *   roster still lists: detached, public keys only, until a guardian signs it out), so it neither
 *   waits for the erasure nor fails on it.
 *
 * Never a 500, nothing logged at error level, and no row names the account afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceCaller } from '../auth/index.js';
import { ManualClock } from '../clock/index.js';
import { createMessages } from '../messages/service.js';
import { PASSWORD, entry, expectStatus, family, pairToy, person, publish, sealedVoice } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { eraseAccountRows } from './account.js';
import { everyRow, raceServerForFile, type RaceServer, whileHeld } from './test-support.js';

let server: TestServer;
let call: Call;
let errors: string[];
let logger: RaceServer['logger'];
raceServerForFile((race) => ({ server, call, errors, logger } = race));

/** A family with a toy, an uncle allowed to send to it, and his message to the toy and the guardian, sealed and uploaded. */
async function aboutToSend() {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const uncle = await person(call, 'uncle');
  await publish(call, fam, [...fam.roster.devices, entry(uncle.keys, 'member')]);
  const voice = await sealedVoice(uncle.keys, fam.roster, [toy.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...uncle.as, raw: voice.blob }), 201, 'upload');
  await server.services.activity.flush();
  return { fam, toy, uncle, voice };
}

/** Whether the message is stored and queued for the toy (the test's instrument). */
async function queuedForToy(messageId: string, toyId: string): Promise<boolean> {
  const row = await server.db
    .selectFrom('messages')
    .innerJoin('message_recipients', 'message_recipients.message_seq', 'messages.seq')
    .select('messages.seq')
    .where('messages.id', '=', messageId)
    .where('message_recipients.device_id', '=', toyId)
    .executeTakeFirst();
  return row !== undefined;
}

test("a send made while its sender's account is being erased answers 201 (PostgreSQL: it waits for nothing) or 401 (SQLite: read after the commit), never 500, and leaves no row naming the account", async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  const { statuses, bodies } = await whileHeld(
    server,
    (trx) => eraseAccountRows(trx, server.services.emails, { accountId: uncle.accountId, email: uncle.email, devices: [uncle.keys.deviceId], rosters: [fam.roster] }),
    { send: () => call('POST', `/v1/families/${fam.familyId}/messages`, { ...uncle.as, body: { envelope: voice.envelope } }) },
  );
  // PostgreSQL: the send's session was read before the erasure committed, and its rows name the
  // family and the message only; SQLite: the send waited for the one connection, then found no session.
  assert.deepEqual(statuses, { send: server.dialect === 'sqlite' ? 401 : 201 }, bodies);
  assert.equal(await queuedForToy(voice.envelope.id, toy.toyId), server.dialect !== 'sqlite', 'a 201 send is delivered; a 401 one stored nothing');
  expectStatus(await call('GET', '/v1/me', { token: uncle.token }), 401, 'the account is gone');
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(uncle.accountId), 'a row still names the erased account');
});

test('a send whose session was read just before its account was deleted is stored and delivered (201), not a 500, and leaves no row naming the account', async () => {
  const { fam, toy, uncle, voice } = await aboutToSend();
  // The request as the auth hook read it, with its session, before the deletion below committed.
  const caller: DeviceCaller = { kind: 'person', deviceId: uncle.keys.deviceId, accountId: uncle.accountId, membership: { familyId: fam.familyId, role: 'member' } };
  expectStatus(await call('POST', '/v1/me/deletion', { token: uncle.token, body: { password: PASSWORD } }), 204, 'deleteAccount');
  const messages = createMessages({ db: server.db, blobs: server.blobs, bus: server.bus, clock: new ManualClock(Date.now()), log: logger });
  const sent = await messages.sendMessage(caller, fam.familyId, voice.envelope);
  assert.equal(sent.messageId, voice.envelope.id);
  assert.ok(await queuedForToy(voice.envelope.id, toy.toyId), 'delivered to the toy');
  assert.deepEqual(errors, [], 'nothing logged at error level');
  assert.ok(!(await everyRow(server)).includes(uncle.accountId), 'a row still names the erased account');
});
