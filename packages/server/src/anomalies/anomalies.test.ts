/**
 * Anomaly alerts (issue 6, item 3) against a real server, a real SMTP sink and the real audit
 * trail: each detector — (a) cross-family access, (b) failed sign-in spikes, (c) read volume,
 * (d) revoked or unknown credentials — alerts the operator by mail, throttles its source, and past
 * its threshold opens an incident scoped to what the source reached; a family's normal use raises
 * nothing. Thresholds are lowered so the tests stay short; the defaults are in config.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { hashToken } from '../auth/index.js';
import { ManualClock } from '../clock/index.js';
import { createIncidents } from '../incidents/index.js';
import { createSmtpMailer, type Mailer } from '../mail/index.js';
import { entry, expectStatus, family, pairToy, PASSWORD, person, publish, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call, type Credentials } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { defaultWatchConfig, mergeAnomalyConfig } from './config.js';

const OPERATOR = 'operator@burrow.test';
const MINUTE = 60_000;
const clock = new ManualClock(Date.now());
let server: TestServer;
let sink: SmtpSink;
let mailer: Mailer;
let call: Call;

before(async () => {
  sink = await startSmtpSink();
  mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <security@burrow.test>', ignoreTLS: true });
  server = await startTestServer({
    clock,
    mailer,
    tripwires: { operatorEmail: OPERATOR },
    watch: {
      ...defaultWatchConfig,
      anomalies: mergeAnomalyConfig({
        crossFamily: { alertAt: 3, incidentAt: 6, windowMs: 10 * MINUTE, blockMs: 15 * MINUTE },
        failedSignInsPerIp: { alertAt: 5, incidentAt: 8, windowMs: 10 * MINUTE, blockMs: 15 * MINUTE },
        failedSignInsGlobal: { alertAt: 5, incidentAt: 1000, windowMs: 10 * MINUTE, blockMs: 0 },
        readVolume: { minDistinct: 3, factor: 1, incidentAt: 3, windowMs: 60 * MINUTE, blockMs: 60 * MINUTE },
        revokedCredential: { alertAt: 1, incidentAt: 3, windowMs: 60 * MINUTE, blockMs: 0 },
      }),
    },
  });
  call = httpClient(server.url);
  await server.services.tripwires.planted;
});
after(async () => {
  await sink.close();
  await server.close();
});

/** Retries `fn` until it returns something truthy: detection runs after each answer is sent. */
async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const autoIncident = (scope: string, kind = '') =>
  server.db.selectFrom('incidents').selectAll().where('scope', '=', scope).where('summary', 'like', `Opened automatically%${kind}%`).executeTakeFirst();

const affectedBy = async (incidentId: string) =>
  (await createIncidents({ db: server.db, mailer, clock, contact: 'x', emails: server.services.emails }).affected(incidentId)).map((a) => a.email);

async function sendVoice(fam: Family, to: Toy): Promise<string> {
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [to.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'uploadBlob');
  const sent = await call<{ messageId: string }>('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } });
  expectStatus(sent, 201, 'sendMessage');
  return sent.json.messageId;
}

const randomId = () => randomBytes(16).toString('base64url');

test('a family using Burrow normally raises no alert, blocks nothing and opens no incident', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const ids = [await sendVoice(fam, toy), await sendVoice(fam, toy)];
  for (let round = 0; round < 3; round++) {
    expectStatus(await call('GET', '/v1/inbox', toy.as), 200);
    for (const id of ids) expectStatus(await call('GET', `/v1/messages/${id}/blob`, toy.as), 200, 'toy plays');
    expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }), 200);
    expectStatus(await call('GET', `/v1/families/${fam.familyId}/rosters`, { token: fam.guardian.token }), 200);
    expectStatus(await call('GET', '/v1/sent', fam.guardian.as), 200);
  }
  // A relative removed from the family whose app still asks for it is not probing.
  const relative = await person(call, 'relative');
  await publish(call, fam, [...fam.roster.devices, entry(relative.keys, 'member')]);
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: relative.token }), 200);
  await publish(call, fam, fam.roster.devices.filter((d) => d.id !== relative.keys.deviceId));
  await server.services.breachWatch.recorder.flush();
  for (let i = 0; i < 5; i++) expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: relative.token }), 404, 'removed');
  // A typo, then the right password.
  expectStatus(await call('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: 'a long enough test passwodr' } }), 401);
  expectStatus(await call('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: PASSWORD } }), 200);
  await server.services.breachWatch.recorder.flush();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(sink.mails.filter((m) => m.to === OPERATOR).map((m) => m.subject), []);
  assert.equal((await server.db.selectFrom('incidents').select('id').execute()).length, 0);
  const metrics = await call('GET', '/metrics');
  expectStatus(metrics, 200, 'metrics on loopback');
  assert.match(metrics.text, /burrow_audit_events_total\{outcome="written"\} \d+/);
  // The typo is counted (one failed sign-in) but stays far below any threshold.
  assert.doesNotMatch(metrics.text, /burrow_anomaly_alerts_total\{/);
  assert.doesNotMatch(metrics.text, /burrow_anomaly_incidents_total\{/);
  assert.match(metrics.text, /burrow_anomaly_blocked_requests_total 0/);
});

test('(a) cross-family access: alert mail, the session answered 429 with Retry-After, an incident past the threshold', async () => {
  const own = await family(call);
  const victim = await family(call);
  expectStatus(await call('GET', `/v1/families/${own.familyId}`, { token: own.guardian.token }), 200);
  for (let i = 0; i < 3; i++) expectStatus(await call('GET', `/v1/families/${victim.familyId}`, { token: own.guardian.token }), 404, 'probe');
  const blocked = await eventually(async () => {
    const r = await call('GET', `/v1/families/${own.familyId}`, { token: own.guardian.token });
    return r.status === 429 ? r : null;
  }, 'the session is blocked');
  assert.ok(Number(blocked.headers.get('retry-after')) > 14 * 60, 'Retry-After of about 15 minutes');
  const mail = await sink.next(OPERATOR, /cross-family-access/);
  assert.match(mail.text, new RegExp(victim.familyId));
  assert.doesNotMatch(mail.text, new RegExp(own.guardian.token), 'no token in the alert');
  expectStatus(await call('GET', '/v1/me', { token: victim.guardian.token }), 200, 'other sessions are not blocked');

  // Persisting while blocked: each refused attempt counts, and at 6 an incident opens.
  for (let i = 0; i < 3; i++) expectStatus(await call('GET', `/v1/families/${victim.familyId}`, { token: own.guardian.token }), 429);
  const scope = `accessed-by:session:${hashToken(own.guardian.token).slice(0, 16)}`;
  const incident = await eventually(() => autoIncident(scope), 'an incident');
  await sink.next(OPERATOR, /cross-family-access-incident/);
  // The refused probes reached nothing in the victim's family: only the family the session could read.
  assert.deepEqual(await affectedBy(incident.id), [own.guardian.email]);
});

test('(b) failed sign-in spike from one address: alert mail (per address and service-wide), sign-in answered 429, an incident', async () => {
  const someone = await person(call, 'innocent');
  clock.advance(11 * MINUTE); // a fresh window: the earlier typo no longer counts
  for (let i = 0; i < 5; i++)
    expectStatus(await call('POST', '/v1/sessions', { body: { email: `nobody-${String(i)}@example.com`, password: 'guess guess guess guess' } }), 401);
  const refused = await eventually(async () => {
    const r = await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } });
    return r.status === 429 ? r : null;
  }, 'sign-in from the address is blocked');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.match((await sink.next(OPERATOR, /failed-sign-in-spike:/)).text, /ip:127\.0\.0\.1/);
  await sink.next(OPERATOR, /failed-sign-in-spike-global/);
  expectStatus(await call('GET', '/v1/me', { token: someone.token }), 200, 'signed-in use from the address goes on');
  for (let i = 0; i < 3; i++) await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } });
  await eventually(() => autoIncident('accessed-by:ip:127.0.0.1', 'failed-sign-in-spike'), 'an incident for the address');
  await sink.next(OPERATOR, /failed-sign-in-spike-incident/);
  // The block is never permanent.
  clock.advance(16 * MINUTE);
  expectStatus(await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } }), 200, 'after the block');
});

test('(c) a toy fetching more blobs than its family holds: alert mail, the toy answered 429, an incident naming its family', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const ids = [await sendVoice(fam, toy), await sendVoice(fam, toy)];
  for (const id of ids) expectStatus(await call('GET', `/v1/messages/${id}/blob`, toy.as), 200);
  // Walking message ids it was never sent (a scraper's signature): 4 distinct > max(3, 1 × 2).
  for (let i = 0; i < 2; i++) expectStatus(await call('GET', `/v1/messages/${randomId()}/blob`, toy.as), 404);
  const blocked = await eventually(async () => {
    const r = await call('GET', '/v1/inbox', toy.as);
    return r.status === 429 ? r : null;
  }, 'the toy is blocked');
  assert.ok(Number(blocked.headers.get('retry-after')) > 59 * 60);
  assert.match((await sink.next(OPERATOR, /read-volume/)).text, new RegExp(toy.toyId));
  for (let i = 0; i < 2; i++) expectStatus(await call('GET', `/v1/messages/${randomId()}/blob`, toy.as), 429);
  const incident = await eventually(() => autoIncident(`accessed-by:device:${toy.toyId}`), 'an incident');
  assert.deepEqual(await affectedBy(incident.id), [fam.guardian.email]);
});

test('(d) unknown toy tokens and unregistered device ids: refused, alert mail, an incident past the threshold', async () => {
  const forged = `bt_${randomBytes(32).toString('base64url')}`;
  expectStatus(await call('GET', '/v1/toys/me', { token: forged }), 401, 'refused already');
  assert.match((await sink.next(OPERATOR, /revoked-credential/)).text, /unknown or revoked toy token/);
  for (let i = 0; i < 2; i++) expectStatus(await call('GET', '/v1/toys/me', { token: forged }), 401);
  await eventually(() => autoIncident('accessed-by:ip:127.0.0.1', 'revoked-credential'), 'an incident');

  const who = await person(call, 'stale-device');
  const removed: Credentials = { token: who.token, device: randomId() };
  expectStatus(await call('GET', '/v1/inbox', removed), 403, 'an unregistered device is refused');
  const scope = `session:${hashToken(who.token).slice(0, 16)}`;
  await eventually(() => Promise.resolve(sink.mails.find((m) => m.to === OPERATOR && /revoked-credential/.test(m.subject) && m.text.includes(scope))), 'alert for the device');
});

test('a session token revoked by an incident, presented again from its own address, is a stale cookie: no alert', async () => {
  const victim = await person(call, 'stale-cookie');
  expectStatus(await call('GET', '/v1/me', { token: victim.token }), 200);
  await server.services.breachWatch.recorder.flush();
  const incidents = createIncidents({ db: server.db, mailer, clock, contact: 'x', emails: server.services.emails });
  const incident = await incidents.open({ summary: 'Tokens leaked.', scope: `account:${victim.accountId}` });
  await incidents.notify(incident.id, undefined, { forceSignOut: true });
  const before = sink.mails.length;
  expectStatus(await call('GET', '/v1/me', { token: victim.token }), 401);
  await new Promise((r) => setTimeout(r, 200));
  const ref = hashToken(victim.token).slice(0, 16);
  assert.equal(sink.mails.slice(before).filter((m) => m.to === OPERATOR && m.text.includes(ref)).length, 0);
  const revoked = await server.db.selectFrom('revoked_credentials').select('kind').where('token_hash', '=', hashToken(victim.token)).executeTakeFirst();
  assert.equal(revoked?.kind, 'session', 'the token is remembered as revoked');
});

test('(d) a session token an incident revoked, replayed from another address, raises an alert', async () => {
  // Behind a trusted proxy the client address comes from X-Forwarded-For, so two addresses can be shown.
  const proxied = await startTestServer({
    mailer,
    trustProxy: '127.0.0.1',
    tripwires: { operatorEmail: OPERATOR },
    watch: { ...defaultWatchConfig, anomalies: mergeAnomalyConfig({ revokedCredential: { alertAt: 1, incidentAt: 3, windowMs: 60 * MINUTE, blockMs: 0 } }) },
  });
  try {
    const p = httpClient(proxied.url);
    const home = { 'x-forwarded-for': '198.51.100.20' };
    const victim = await person(p, 'replayed');
    expectStatus(await p('GET', '/v1/me', { token: victim.token, headers: home }), 200);
    const incidents = createIncidents({ db: proxied.db, mailer, clock, contact: 'x', emails: proxied.services.emails });
    const incident = await incidents.open({ summary: 'Tokens leaked.', scope: `account:${victim.accountId}` });
    await incidents.notify(incident.id, undefined, { forceSignOut: true });
    const ref = hashToken(victim.token).slice(0, 16);
    expectStatus(await p('GET', '/v1/me', { token: victim.token, headers: { 'x-forwarded-for': '203.0.113.66' } }), 401, 'refused already');
    const mail = await eventually(
      () => Promise.resolve(sink.mails.find((m) => m.to === OPERATOR && /revoked-credential/.test(m.subject) && m.text.includes(`session:${ref}`))),
      'the alert for the replayed token',
    );
    assert.ok(mail.text.includes('203.0.113.66'), mail.text);
    assert.match(mail.text, /session token revoked by an incident/);
  } finally {
    await proxied.close();
  }
});

test('/metrics counts the anomalies and alerts; it needs the token when one is configured', async () => {
  const metrics = await call('GET', '/metrics');
  expectStatus(metrics, 200);
  for (const kind of ['cross-family-access', 'failed-sign-in-spike', 'read-volume', 'revoked-credential'])
    assert.match(metrics.text, new RegExp(`burrow_anomaly_incidents_total\\{kind="${kind}"\\} 1`), kind);
  assert.match(metrics.text, /burrow_anomaly_blocked_requests_total [1-9]/);
  assert.match(metrics.text, /burrow_operator_alerts_total\{kind="cross-family-access",severity="high"\} \d/);

  const guarded = await startTestServer({ watch: { ...defaultWatchConfig, metricsToken: 'metrics-token-for-the-test-0123456789' } });
  try {
    const g = httpClient(guarded.url);
    expectStatus(await g('GET', '/metrics'), 403, 'no token');
    expectStatus(await g('GET', '/metrics', { token: 'wrong' }), 403, 'wrong token');
    expectStatus(await g('GET', '/metrics', { token: 'metrics-token-for-the-test-0123456789' }), 200, 'right token');
  } finally {
    await guarded.close();
  }
});
