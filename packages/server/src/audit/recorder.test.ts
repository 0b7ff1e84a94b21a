/**
 * The audit trail: who read or changed which family's data is recorded — with the session, device
 * and address — for sign-ins, reads, blob fetches, roster and member changes, refused attempts
 * included; writes are batched (measured here); retention deletes only what is past it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { createLogger } from '../logger.js';
import { hashToken } from '../auth/index.js';
import { expectStatus, family, pairToy, PASSWORD, person, sealedVoice } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createAuditRecorder, type AuditEvent } from './recorder.js';

let server: TestServer;
let call: Call;

before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

const trail = async (where: { family?: string; session?: string }) => {
  await server.services.breachWatch.recorder.flush();
  let q = server.db.selectFrom('audit_events').selectAll().orderBy('id');
  if (where.family) q = q.where('family_id', '=', where.family);
  if (where.session) q = q.where('session_ref', '=', where.session);
  return q.execute();
};

test('sign-ins, reads, blob fetches, roster and member changes and refused attempts are recorded with who and where', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201);
  const sent = await call<{ messageId: string }>('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } });
  expectStatus(sent, 201);
  expectStatus(await call('GET', `/v1/messages/${sent.json.messageId}/blob`, toy.as), 200);
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }), 200);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/invitations`, { token: fam.guardian.token, body: {} }), 201);
  const outsider = await person(call, 'outsider');
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: outsider.token }), 404);
  const signIn = await call<{ token: string }>('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: PASSWORD } });
  expectStatus(signIn, 200);
  expectStatus(await call('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: 'wrong wrong wrong wrong' } }), 401);

  const rows = await trail({ family: fam.familyId });
  const ref = hashToken(fam.guardian.token).slice(0, 16);
  const find = (action: string, extra: (r: (typeof rows)[number]) => boolean = () => true) => rows.find((r) => r.action === action && extra(r));
  const blob = find('read_blob');
  assert.deepEqual(
    blob && { device: blob.device_id, resource: blob.resource, status: blob.status, account: blob.account_id, ip: blob.ip },
    { device: toy.toyId, resource: sent.json.messageId, status: 200, account: null, ip: '127.0.0.1' },
    'the toy fetched the blob; its family was looked up from the message',
  );
  const read = find('read_family', (r) => r.account_id === fam.guardian.accountId);
  assert.equal(read?.session_ref, ref);
  assert.ok(find('roster_change', (r) => r.device_id === fam.guardian.keys.deviceId && r.status === 201), 'roster changes (createFamily, claimToy)');
  assert.ok(find('member_change', (r) => r.account_id === fam.guardian.accountId), 'the invitation');
  assert.ok(find('upload_blob') && find('send_message'));
  assert.deepEqual(
    find('read_family', (r) => r.account_id === outsider.accountId) && { status: 404 },
    { status: 404 },
    'a refused attempt is kept, with its status',
  );
  const signIns = (await server.db.selectFrom('audit_events').select(['action', 'status', 'account_id']).where('action', '=', 'sign_in').execute()).filter(
    (r) => r.account_id === fam.guardian.accountId || r.status === 401,
  );
  assert.ok(signIns.some((r) => r.status === 200 && r.account_id === fam.guardian.accountId), 'the sign-in, with its account');
  assert.ok(signIns.some((r) => r.status === 401 && r.account_id === null), 'the failed one');
  // Nothing secret: no token or password in any column.
  const all = JSON.stringify(await server.db.selectFrom('audit_events').selectAll().execute());
  for (const secret of [fam.guardian.token, signIn.json.token, PASSWORD, toy.token]) assert.ok(!all.includes(secret));
});

test('writes are batched: recording costs microseconds, one INSERT writes hundreds of events (figures printed)', async () => {
  const clock = new ManualClock(Date.now());
  const recorder = createAuditRecorder({ db: server.db, clock, log: createLogger('silent'), retentionMs: 1000, maxBatch: 1_000_000, flushMs: 60_000 });
  const event = (i: number): AuditEvent => ({
    at: clock.now(),
    action: 'read_family',
    status: 200,
    account_id: `acc${String(i % 50)}`,
    device_id: null,
    session_ref: 'bench',
    ip: '198.51.100.7',
    family_id: `fam${String(i % 20)}`,
    resource: null,
  });
  const n = 5000;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) recorder.record(event(i));
  const recordUs = Number(process.hrtime.bigint() - t) / 1000 / n;
  t = process.hrtime.bigint();
  await recorder.flush();
  const flushMs = Number(process.hrtime.bigint() - t) / 1e6;
  const written = await server.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('session_ref', '=', 'bench').executeTakeFirst();
  assert.equal(Number(written?.n), n);
  console.log(`audit trail (${server.dialect}): record() ${recordUs.toFixed(2)} µs/event; flush of ${String(n)} events ${flushMs.toFixed(0)} ms = ${((flushMs * 1000) / n).toFixed(1)} µs/event written`);
  assert.ok(recordUs < 50, 'recording is an in-memory push');
  assert.ok((flushMs * 1000) / n < 2000, 'under 2 ms per event written, batched');

  // Retention: only what is past it goes.
  clock.advance(2000);
  recorder.record({ ...event(0), at: clock.now(), session_ref: 'bench-new' });
  await recorder.flush();
  assert.ok((await recorder.prune()) >= n, 'the old events (and the server’s older ones) are deleted');
  const left = await server.db.selectFrom('audit_events').select('session_ref').where('session_ref', 'in', ['bench', 'bench-new']).execute();
  assert.deepEqual(left.map((r) => r.session_ref), ['bench-new']);
});
