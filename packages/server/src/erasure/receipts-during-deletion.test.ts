/**
 * A receipt (delivered, played) for a message deleted meanwhile (issue 13 item 2: by its sender, a
 * guardian, retention or the family's erasure), on SQLite and on PostgreSQL (BURROW_TEST_PG_URL): it
 * answers 404 like a receipt for a message already gone — not the 500 of its row meeting the deleted
 * message's foreign key — logs nothing at error level and leaves no receipt behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signDeletion } from '@burrow/protocol';
import type { DeviceCaller } from '../auth/index.js';
import { ManualClock } from '../clock/index.js';
import { isAppError } from '../errors/index.js';
import { createMessages } from '../messages/service.js';
import { deleteMessages } from '../messages/store.js';
import { entry, expectStatus, family, pairToy, person, publish } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { TestServer } from '../testing/start-test-server.js';
import { sendVoice, raceServerForFile, type RaceServer, whileHeld } from './test-support.js';

let server: TestServer;
let call: Call;
let errors: string[];
let logger: RaceServer['logger'];
raceServerForFile((race) => ({ server, call, errors, logger } = race));

/** A family with a toy and an uncle, and a voice message from the guardian to both. */
async function delivered() {
  const fam = await family(call);
  const uncle = await person(call, 'uncle');
  await publish(call, fam, [...fam.roster.devices, entry(uncle.keys, 'member')]);
  const toy = await pairToy(call, fam);
  const voice = await sendVoice(call, fam, fam.guardian, [toy.keys, uncle.keys]);
  // The test's instrument: the row the message's deletion and the receipts name.
  const row = await server.db.selectFrom('messages').select(['seq', 'family_id', 'sender_id', 'blob_hash']).where('id', '=', voice.envelope.id).executeTakeFirstOrThrow();
  return { fam, uncle, toy, messageId: voice.envelope.id, row };
}

/** The receipts left for a message (by its sequence number): none once it is deleted. */
async function receiptsOf(seq: number): Promise<number> {
  return (await server.db.selectFrom('receipts').select('kind').where('message_seq', '=', seq).execute()).length;
}

test("a toy's played receipt and a member's delivered receipt sent while the message is being deleted answer 404, log no error and leave no receipt", async () => {
  const { uncle, toy, messageId, row } = await delivered();
  const { statuses, bodies } = await whileHeld(server, (trx) => deleteMessages(trx, [row.seq]), {
    played: () => call('POST', `/v1/messages/${messageId}/receipts`, { ...toy.as, body: { kind: 'played' } }),
    delivered: () => call('POST', `/v1/messages/${messageId}/receipts`, { ...uncle.as, body: { kind: 'delivered' } }),
  });
  assert.deepEqual(statuses, { played: 404, delivered: 404 }, bodies);
  assert.equal(await receiptsOf(row.seq), 0, 'no receipt left');
  assert.deepEqual(errors, [], 'nothing logged at error level');
});

test('a receipt whose message was read (with its caller, by the auth hook) just before a guardian deleted it is a 404, not a foreign-key error', async () => {
  const outcomes: string[] = [];
  for (const kind of ['delivered', 'played'] as const) {
    const { fam, toy, messageId, row } = await delivered();
    // The toy's request as the auth hook read it: the caller and the message in one statement (auth
    // PathMessage), before the guardian's deletion below committed.
    const caller: DeviceCaller = {
      kind: 'toy',
      deviceId: toy.toyId,
      accountId: null,
      familyId: fam.familyId,
      message: { messageId, found: { seq: row.seq, familyId: row.family_id, senderId: row.sender_id, blobHash: row.blob_hash, recipient: true } },
    };
    expectStatus(
      await call('DELETE', `/v1/messages/${messageId}`, {
        ...fam.guardian.as,
        body: { instruction: signDeletion({ familyId: fam.familyId, messageId, issuedAt: Date.now() }, fam.guardian.keys) },
      }),
      204,
      'deleteMessage',
    );
    const messages = createMessages({ db: server.db, blobs: server.blobs, bus: server.bus, clock: new ManualClock(Date.now()), log: logger });
    outcomes.push(
      await messages.sendReceipt(caller, messageId, kind).then(
        () => `${kind}: written`,
        (err: unknown) => `${kind}: ${isAppError(err, 'not_found') ? '404' : String(err)}`,
      ),
    );
    assert.equal(await receiptsOf(row.seq), 0, `${kind}: no receipt left`);
  }
  assert.deepEqual(outcomes, ['delivered: 404', 'played: 404']);
  assert.deepEqual(errors, [], 'nothing logged at error level');
});
