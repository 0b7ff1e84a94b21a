/**
 * Deleting a child and a family (erasure/; the account half is in account-erasure.test.ts): re-authentication, the last-guardian rule,
 * the mails (a real SMTP sink), the roster change a guardian signs for a deleted member's devices,
 * the toys told, and — by scanning every table, the SQLite file with its WAL, and the blob folder —
 * nothing of what was deleted left behind. The audit trail is the one table not scanned: it keeps
 * ids and addresses (never content) until its retention period ends (docs/security.md "Erasure").
 * The activity log's batched flush racing the erasure's transaction is played out step by step, on
 * SQLite and on PostgreSQL (BURROW_TEST_PG_URL), where it once left rows naming the deleted family.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Transaction } from 'kysely';
import { createActivityLog } from '../audit/index.js';
import { topics, type StreamEvent } from '../bus/index.js';
import type { Database } from '../db/index.js';
import { createLogger } from '../logger.js';
import { createMemoryMailer } from '../mail/index.js';
import {
  PASSWORD,
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  registerToy,
  successor,
} from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { SmtpSink } from '../testing/smtp-sink.js';
import type { TestServer } from '../testing/start-test-server.js';
import { createFamilyErasure, eraseFamilyRows } from './family.js';
import { createErasureMail } from './mail.js';
import { beforeFirstTransaction, everyRow, held, sendVoice, settledFamily, startMailingServer, untilWaiting } from './test-support.js';

let server: TestServer;
let sink: SmtpSink;
let call: Call;
let close: (() => Promise<void>) | undefined;
before(async () => {
  ({ server, sink, call, close } = await startMailingServer());
});
after(async () => {
  await close?.();
});

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Files of the data folder (SQLite file, WAL, blobs) holding any of the markers. */
function filesHolding(markers: Buffer[]): string[] {
  return [...files(server.dataDir)].filter((path) => {
    const bytes = readFileSync(path);
    return markers.some((m) => bytes.includes(m));
  });
}

test('a guardian deletes a child: refused while a toy is paired to them, then the profile is gone', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const refused = await call<{ error: { message: string } }>(
    'DELETE',
    `/v1/families/${fam.familyId}/children/${fam.childId}`,
    fam.guardian.as,
  );
  expectStatus(refused, 409);
  assert.match(refused.json.error.message, /Unpair it first/);

  const next = successor(
    fam.roster,
    fam.roster.devices.filter((d) => d.id !== toy.toyId),
    fam.guardian.keys,
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`, {
      ...fam.guardian.as,
      body: { roster: next },
    }),
    200,
    'unpair',
  );
  fam.roster = next;
  expectStatus(
    await call('DELETE', `/v1/families/${fam.familyId}/children/${fam.childId}`, fam.guardian.as),
    204,
  );
  const view = await call<{ children: unknown[] }>('GET', `/v1/families/${fam.familyId}`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(view.json.children, []);
  expectStatus(
    await call('DELETE', `/v1/families/${fam.familyId}/children/${fam.childId}`, fam.guardian.as),
    404,
    'twice',
  );
});

test('a guardian deletes the family: members mailed, toys told, and no row, WAL frame or blob holds any of it', async () => {
  const fam = await family(call);
  const uncle = await person(call, 'uncle');
  await publish(call, fam, [...fam.roster.devices, entry(uncle.keys, 'member')]);
  const toy = await pairToy(call, fam);
  const voice = await sendVoice(call, fam, fam.guardian, [toy.keys, uncle.keys]);
  const told: StreamEvent[] = [];
  const unsubscribe = server.bus.subscribe(topics.device(toy.toyId), (e) => told.push(e));

  // A member is not a guardian; a guardian must prove it is them.
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...uncle.as,
      body: { password: PASSWORD },
    }),
    403,
    'member',
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...fam.guardian.as,
      body: { password: 'wrong wrong wrong' },
    }),
    401,
    'password',
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, { ...fam.guardian.as, body: {} }),
    400,
    'no password',
  );
  expectStatus(
    await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }),
    200,
    'still there',
  );

  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...fam.guardian.as,
      body: { password: PASSWORD },
    }),
    204,
    'deleteFamily',
  );
  unsubscribe();
  assert.deepEqual(told, [{ type: 'unpaired' }]);
  expectStatus(await call('GET', '/v1/toys/me', toy.as), 401, 'toy credentials revoked');
  expectStatus(
    await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }),
    404,
    'family gone',
  );
  assert.match(
    (await sink.next(fam.guardian.email, /family was deleted/)).text,
    /You deleted your Burrow family/,
  );
  assert.match(
    (await sink.next(uncle.email, /family was deleted/)).text,
    /A guardian deleted your Burrow family/,
  );

  const rows = await everyRow(server);
  for (const id of [fam.familyId, fam.childId, toy.toyId, voice.envelope.id, voice.hash])
    assert.ok(!rows.includes(id), `a row still names ${id}`);
  // The accounts stay: people leave the family, not Burrow.
  expectStatus(await call('GET', '/v1/me', { token: uncle.token }), 200);
  // The ciphertext and the envelope's signature, in the raw files: database, WAL and blob folder.
  // (Ids are not markers here: the audit trail keeps them until its retention period ends.)
  const markers = [
    Buffer.from(voice.blob.subarray(100, 164)),
    Buffer.from(voice.envelope.signature),
    Buffer.from(JSON.stringify(fam.roster.signature)),
  ];
  assert.deepEqual(filesHolding(markers), [], 'a file of the data folder still holds the family');
});

test('an activity flush racing the family erasure leaves no row naming the family, whichever commits first, and logs no error', async () => {
  const errors: object[] = [];
  // Its own log, flushed only when the test says (the server's flushes on its timer as usual).
  const activity = createActivityLog({ db: server.db, log: { error: (obj) => errors.push(obj) }, flushMs: 3_600_000 });
  const childAdded = (familyId: string) =>
    activity.record({ kind: 'child_added', at: Date.now(), familyId, accountId: null, deviceId: null, toyId: null, subject: null });
  const erase = (trx: Transaction<Database>, familyId: string) => eraseFamilyRows(trx, familyId);
  const familyWithChain = () => settledFamily(server, call);

  // The erasure first: its transaction has deleted the family, uncommitted, when the flush looks.
  const first = await familyWithChain();
  childAdded(first.familyId);
  const erasure = held(server.db, (trx) => erase(trx, first.familyId));
  await erasure.ready;
  let flushed = false;
  const flush = activity.flush().then(() => (flushed = true));
  await untilWaiting(server, 1, () => flushed);
  erasure.release();
  await Promise.all([erasure.done, flush]);

  // The flush first: it has found the family and waits for the chain's head (a test transaction holds
  // it) when the erasure starts; then the head is let go and both go on.
  const second = await familyWithChain();
  childAdded(second.familyId);
  if (server.dialect === 'postgres') {
    const head = held(server.db, (trx) =>
      trx.selectFrom('family_activity_heads').select('family_id').where('family_id', '=', second.familyId).forUpdate().execute(),
    );
    await head.ready;
    const flush2 = activity.flush();
    await untilWaiting(server, 1);
    const erased = server.db.transaction().execute((trx) => erase(trx, second.familyId));
    await untilWaiting(server, 2);
    head.release();
    await Promise.all([head.done, flush2, erased]);
  } else {
    await activity.flush();
    await server.db.transaction().execute((trx) => erase(trx, second.familyId));
  }

  const rows = await everyRow(server);
  for (const [order, fam] of [['erasure first', first], ['flush first', second]] as const)
    assert.ok(!rows.includes(fam.familyId), `${order}: a row still names the deleted family ${fam.familyId}`);
  // The flush that came second dropped its family's event quietly (no failed write, no error logged);
  // the one that came first wrote its event, and the erasure deleted it with the family.
  assert.deepEqual(errors, []);
  assert.deepEqual(activity.stats(), { written: 1, dropped: 0 });
});

test("a toy paired and a member added just before the erasure's transaction began go with the family: the toy told and its credentials gone, the member mailed", async () => {
  const fam = await family(call);
  const first = await pairToy(call, fam);
  const late = await registerToy(call);
  const aunt = await person(call, 'aunt');
  const told = new Map<string, StreamEvent[]>([[first.toyId, []], [late.toyId, []]]);
  const unsubscribe = [first.toyId, late.toyId].map((id) => server.bus.subscribe(topics.device(id), (e) => told.get(id)!.push(e)));
  const mailer = createMemoryMailer();
  const log = createLogger('silent');
  // The erasure of an inactive family (the same erasure a guardian's asks for, without the password),
  // on the real database: the toy's pairing and the aunt's joining (the roster that lists her) both commit after every read the
  // erasure makes outside its transaction, and before that transaction's first statement.
  const erasure = createFamilyErasure({
    db: beforeFirstTransaction(server.db, async () => {
      await pairToy(call, fam, late);
      await publish(call, fam, [...fam.roster.devices, entry(aunt.keys, 'member')]);
    }),
    blobs: server.blobs,
    bus: server.bus,
    log,
    emails: server.services.emails,
    mail: createErasureMail({ mailer, log }),
    confirmOwner: () => Promise.reject(new Error('not asked: an inactive family is deleted without a password')),
  });
  await erasure.deleteInactiveFamily(fam.familyId);
  for (const off of unsubscribe) off();

  // The late toy heard its pairing first; then, like the other, that it is unpaired.
  const unpaired = (id: string) => told.get(id)!.filter((e) => e.type === 'unpaired');
  assert.deepEqual([unpaired(first.toyId), unpaired(late.toyId)], [[{ type: 'unpaired' }], [{ type: 'unpaired' }]], 'every toy told');
  expectStatus(await call('GET', '/v1/toys/me', late.as), 401, "the late toy's credentials revoked");
  const rows = await everyRow(server);
  for (const id of [fam.familyId, first.toyId, late.toyId]) assert.ok(!rows.includes(id), `a row still names ${id}`);
  assert.deepEqual(
    mailer.sent.map((m) => m.to).sort(),
    [fam.guardian.email, aunt.email].sort(),
    'every member mailed, the one admitted last too',
  );
});
