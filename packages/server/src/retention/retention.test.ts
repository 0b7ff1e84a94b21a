/**
 * Retention and deletion of messages (issue 13 items 1-2a; docs/privacy.md): the family's period,
 * deletion by the sender or a guardian, the sweep — and after each deletion, a raw scan of the
 * server's data folder (SQLite file, its WAL, the blob folder) finds none of the message's bytes;
 * and `burrow retention run` doing the sweep from the command line. One server for the file, on a
 * manual clock; SQLite or PostgreSQL (BURROW_TEST_PG_URL).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { topics, type StreamEvent } from '../bus/index.js';
import { ManualClock } from '../clock/index.js';
import { deleteInBatches } from '../maintenance/index.js';
import { deleteMessages, familyBlobBytes, findMessageRef } from '../messages/store.js';
import { entry, expectStatus, family, pairToy, person, publish, sealedVoice, type Family, type Person, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { UsageError } from '../cli-args.js';
import { retentionCommand } from './command.js';
import { createRetentionSweep } from './index.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 5, 1);
const clock = new ManualClock(T0);
let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;
let gran: Person;
let uncle: Person;
let stranger: Person;
const events = new Map<string, StreamEvent[]>();

before(async () => {
  server = await startTestServer({ clock });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
  gran = await person(call, 'gran');
  uncle = await person(call, 'uncle');
  stranger = await person(call, 'stranger');
  await publish(call, fam, [
    ...fam.roster.devices,
    entry(gran.keys, 'member', { sendToToy: true, hearChild: true }),
    entry(uncle.keys, 'member', { sendToToy: false, hearChild: false }),
  ]);
  for (const who of [gran.keys.deviceId, toy.toyId, fam.guardian.keys.deviceId])
    server.bus.subscribe(topics.device(who), (e) => events.set(who, [...(events.get(who) ?? []), e]));
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** Gran seals a voice message to the toy and the guardian, uploads it and sends it. */
async function send(sender: Person = gran) {
  const voice = await sealedVoice(sender.keys, fam.roster, [toy.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(voice.blob)}`, { ...sender.as, raw: voice.blob }), 201, 'uploadBlob');
  const res = await call<{ messageId: string }>('POST', `/v1/families/${fam.familyId}/messages`, { ...sender.as, body: { envelope: voice.envelope } });
  expectStatus(res, 201, 'sendMessage');
  // What must not survive a deletion: ciphertext from the middle of the blob, and the envelope's
  // encrypted metadata and signature as the database stores them.
  const markers = [Buffer.from(voice.blob.subarray(64, 96)), Buffer.from(voice.envelope.meta), Buffer.from(voice.envelope.signature)];
  return { id: res.json.messageId, hash: sha(voice.blob), markers };
}

async function fetchedBy(messageId: string, ...who: Credentials[]) {
  for (const as of who) expectStatus(await call('POST', `/v1/messages/${messageId}/receipts`, { ...as, body: { kind: 'delivered' } }), 204, 'sendReceipt');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file of the server's data folder (SQLite file, WAL, blob folder, outbox) holding one of `markers`. */
function rawScan(markers: Buffer[]): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(server.dataDir)) {
    const bytes = readFileSync(file);
    for (const m of markers) if (bytes.includes(m)) hits.push(`${file} holds ${m.toString('hex').slice(0, 16)}…`);
  }
  return hits;
}

/** The raw scan is meaningful only if it finds a message that is still there. */
function assertScanSees(markers: Buffer[]): void {
  const files = rawScan(markers).join('\n');
  assert.match(files, /blobs/, 'the blob folder holds the live message');
  if (server.dialect === 'sqlite') assert.match(files, /burrow\.db/, 'the SQLite file or its WAL holds the live envelope');
}

async function runSweep() {
  const s = createRetentionSweep({ db: server.db, blobs: server.blobs, bus: server.bus, clock });
  const messages = await deleteInBatches(s.messages, { batchSize: 2 });
  const blobs = await deleteInBatches(s.blobs, { batchSize: 2 });
  return { messages: messages.deleted, blobs: blobs.deleted };
}

const exists = async (messageId: string) => (await findMessageRef(server.db, messageId)) !== undefined;

test('a guardian sets the retention period (1-365 days); members read it; bad values and other callers change nothing', async () => {
  const path = `/v1/families/${fam.familyId}/retention`;
  const initial = await call<{ days: number; defaultDays: number; maxDays: number; unfetchedExpiryDays: number }>('GET', path, { token: uncle.token });
  expectStatus(initial, 200);
  assert.deepEqual(initial.json, { days: 30, defaultDays: 30, minDays: 1, maxDays: 365, unfetchedExpiryDays: 30 });
  for (const days of [0, 366, -1, 1.5, 'forever', null]) {
    const res = await call<{ error: { code: string } }>('PUT', path, { token: fam.guardian.token, body: { days } });
    expectStatus(res, 400, `days ${JSON.stringify(days)}`);
    assert.equal(res.json.error.code, 'bad_request');
  }
  expectStatus(await call('PUT', path, { token: uncle.token, body: { days: 5 } }), 403, 'a member');
  expectStatus(await call('PUT', path, { token: stranger.token, body: { days: 5 } }), 404, 'a stranger');
  expectStatus(await call('GET', path, { token: stranger.token }), 404, 'a stranger reads');
  assert.equal((await call<{ days: number }>('GET', path, { token: fam.guardian.token })).json.days, 30, 'nothing changed');
  const set = await call<{ days: number }>('PUT', path, { token: fam.guardian.token, body: { days: 7 } });
  expectStatus(set, 200);
  assert.equal(set.json.days, 7);
  assert.equal((await call<{ days: number }>('GET', path, { token: uncle.token })).json.days, 7);
});

test('the sender deletes a message it sent: row and blob are gone, its recipients are told, and a raw scan finds none of its bytes', async () => {
  const m = await send();
  await fetchedBy(m.id, toy.as);
  assertScanSees(m.markers);
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, gran.as), 204);
  assert.equal(await exists(m.id), false);
  assert.equal(await server.blobs.has(`${fam.familyId}/${m.hash}`), false);
  assert.ok(events.get(toy.toyId)?.some((e) => e.type === 'deleted' && e.messageId === m.id), 'the toy is told');
  const inbox = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox', fam.guardian.as);
  assert.ok(!inbox.json.messages.some((x) => x.envelope.id === m.id), 'gone from the inbox');
  expectStatus(await call('GET', `/v1/messages/${m.id}/blob`, toy.as), 404);
  assert.deepEqual(rawScan(m.markers), []);
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, gran.as), 404, 'a second delete');
});

test('a guardian deletes any message of the family; a member who did not send it gets 403, a stranger and a toy 404, and nothing changes', async () => {
  const m = await send();
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, uncle.as), 403, 'another member');
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, stranger.as), 404, 'a stranger');
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, toy.as), 404, 'a toy');
  expectStatus(await call('DELETE', '/v1/messages/not-a-message-id', fam.guardian.as), 400, 'a malformed id');
  assert.equal(await exists(m.id), true);
  assert.equal(await server.blobs.has(`${fam.familyId}/${m.hash}`), true);
  expectStatus(await call('DELETE', `/v1/messages/${m.id}`, fam.guardian.as), 204, 'the guardian');
  assert.equal(await exists(m.id), false);
  assert.deepEqual(rawScan(m.markers), []);
});

test('the sweep deletes fetched messages past the family period, expires unfetched ones after 30 days (sender told), then their tombstones; idempotent', async () => {
  // The family keeps fetched messages 7 days (set above). At T0: one fetched by both recipients, one by nobody.
  const fetched = await send();
  await fetchedBy(fetched.id, toy.as, fam.guardian.as);
  const unfetched = await send();
  const halfFetched = await send();
  await fetchedBy(halfFetched.id, toy.as);
  clock.advance(5 * DAY);
  const younger = await send();
  await fetchedBy(younger.id, toy.as, fam.guardian.as);
  const started = clock.now();

  clock.set(T0 + 8 * DAY);
  const first = await runSweep();
  assert.equal(await exists(fetched.id), false, 'fetched by all, older than 7 days: deleted');
  assert.equal(await server.blobs.has(`${fam.familyId}/${fetched.hash}`), false);
  assert.deepEqual(rawScan(fetched.markers), []);
  assert.equal(await exists(younger.id), true, 'fetched, 3 days old: kept');
  assert.equal(await exists(unfetched.id), true, 'unfetched, 8 days old: kept');
  assert.equal(await exists(halfFetched.id), true, 'fetched by one of two, 8 days old: kept');
  assert.equal(first.messages, 1, 'only the one due');
  assert.deepEqual(await runSweep(), { messages: 0, blobs: 0 }, 'a second run finds nothing more to do');

  clock.set(T0 + 31 * DAY);
  assert.equal((await runSweep()).messages, 3, 'one deleted, two expired');
  assert.equal(await exists(younger.id), false, 'fetched, 26 days old: deleted');
  for (const m of [unfetched, halfFetched]) {
    const row = await findMessageRef(server.db, m.id);
    assert.equal(row?.expiredAt, T0 + 31 * DAY, 'an unfetched message expired');
    assert.equal(row.blobHash, null);
    assert.equal(await server.blobs.has(`${fam.familyId}/${m.hash}`), false);
    assert.deepEqual(rawScan(m.markers), [], 'none of an expired message is left');
    assert.ok(events.get(gran.keys.deviceId)?.some((e) => e.type === 'expired' && e.messageId === m.id), 'the sender is told');
  }

  // Back at a time the sessions are valid: gran's sent list says which expired.
  clock.set(started);
  const sent = await call<{ messages: { messageId: string; expiredAt?: number }[] }>('GET', '/v1/sent', gran.as);
  expectStatus(sent, 200);
  assert.equal(sent.json.messages.find((x) => x.messageId === unfetched.id)?.expiredAt, T0 + 31 * DAY);
  assert.equal(sent.json.messages.find((x) => x.messageId === younger.id), undefined);

  clock.set(T0 + 62 * DAY);
  await runSweep();
  assert.equal(await exists(unfetched.id), false, 'the tombstone goes 30 days after it expired');
  assert.deepEqual(await runSweep(), { messages: 0, blobs: 0 });
  clock.set(started);
});

test('a deletion stopped between the row and the blob is finished by the sweep; a fresh upload waiting for its message is kept', async () => {
  const m = await send();
  const row = await findMessageRef(server.db, m.id);
  assert.ok(row);
  await deleteMessages(server.db, [row.seq]); // the process "stopped" here: the blob row and bytes remain
  const pending = randomBytes(3000);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(pending)}`, { ...gran.as, raw: pending }), 201);
  clock.advance(DAY + 1);
  const fresh = randomBytes(3000);
  clock.advance(-1000);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(fresh)}`, { ...gran.as, raw: fresh }), 201);
  clock.advance(1000);
  const swept = await runSweep();
  assert.equal(swept.blobs, 2, 'the orphaned blob and the day-old upload');
  assert.equal(await server.blobs.has(`${fam.familyId}/${m.hash}`), false);
  assert.equal(await server.blobs.has(`${fam.familyId}/${sha(pending)}`), false);
  assert.equal(await server.blobs.has(`${fam.familyId}/${sha(fresh)}`), true, 'an upload younger than a day waits for its message');
  assert.equal(await familyBlobBytes(server.db, fam.familyId), 3000, "the family's storage total counts only what is left");
  assert.deepEqual(rawScan(m.markers), []);
});

test('burrow retention run: the same sweep on the same database and blobs, from the command line; a second run finds nothing; a bad --batch changes nothing', async (t) => {
  // Sent at the manual clock's time (mid-2026), so months past every period by the command's own clock (the system's).
  const fetched = await send();
  await fetchedBy(fetched.id, toy.as, fam.guardian.as);
  const unfetched = await send();
  const env =
    server.config.database.kind === 'postgres'
      ? { BURROW_DATABASE_URL: server.config.database.url, BURROW_DATA_DIR: server.dataDir }
      : { BURROW_DATA_DIR: server.dataDir };

  await assert.rejects(retentionCommand(['run', '--batch', '0'], env), (err: unknown) => err instanceof UsageError && /--batch takes a whole number/.test(err.message));
  await assert.rejects(retentionCommand(['sweep'], env), UsageError);
  assert.equal(await exists(fetched.id), true, 'a refused command deletes nothing');
  assert.equal(await server.blobs.has(`${fam.familyId}/${fetched.hash}`), true);

  const printed = t.mock.method(console, 'log', () => undefined);
  await retentionCommand(['run', '--batch', '1'], env);
  const first = String(printed.mock.calls[0]?.arguments[0]);
  await retentionCommand(['run'], env);
  const second = String(printed.mock.calls[2]?.arguments[0]);
  printed.mock.restore();

  assert.equal(await exists(fetched.id), false, 'fetched by both and past the period: deleted');
  assert.equal(await server.blobs.has(`${fam.familyId}/${fetched.hash}`), false, 'its blob too');
  const tombstone = await findMessageRef(server.db, unfetched.id);
  assert.ok(tombstone?.expiredAt !== null && tombstone?.expiredAt !== undefined, 'the unfetched one expired: a tombstone stays');
  assert.equal(tombstone.blobHash, null);
  assert.equal(await server.blobs.has(`${fam.familyId}/${unfetched.hash}`), false, 'its blob is gone');
  assert.match(first, /Retention sweep done in [\d.]+ s: [1-9]\d* message\(s\) deleted or expired/);
  assert.match(second, /: 0 message\(s\) deleted or expired, 0 unreferenced blob\(s\) deleted\./, 'a second run finds nothing more to do');
});
