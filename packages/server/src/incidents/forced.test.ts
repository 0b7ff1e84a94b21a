/**
 * What `incident notify` leaves in the app: the in-app notice (five headings, dates, read state),
 * --force-sign-out (every session ends; the stolen token, replayed from elsewhere, raises an alert)
 * and --force-reset (sign-in answers "password reset required" and mails a reset link until a new
 * password is set).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { NoticesResponse } from '@burrow/api';
import { systemClock } from '../clock/index.js';
import { createSmtpMailer, type Mailer } from '../mail/index.js';
import { expectStatus, family, PASSWORD, person, type Family, type Person } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { NOTICE_HEADINGS } from './notice.js';
import { createIncidents } from './service.js';

let server: TestServer;
let sink: SmtpSink;
let mailer: Mailer;
let call: Call;
let fam: Family;
let bystander: Person;

before(async () => {
  sink = await startSmtpSink();
  mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <security@burrow.test>', ignoreTLS: true });
  server = await startTestServer({ mailer, accountSecurity: { publicUrl: 'https://burrow.test' }, tripwires: { operatorEmail: 'operator@burrow.test' } });
  call = httpClient(server.url);
  fam = await family(call);
  bystander = await person(call, 'bystander');
  await server.services.tripwires.planted;
});
after(async () => {
  await sink.close();
  await server.close();
});

const incidents = () =>
  createIncidents({ db: server.db, mailer, clock: systemClock, contact: 'security@burrow.test', emails: server.services.emails, isCanaryAccount: (id) => server.services.tripwires.isCanaryAccount(id) });

const logIn = (email: string, password = PASSWORD) => call<{ token: string; accountId: string }>('POST', '/v1/sessions', { body: { email, password } });

test('notify records an in-app notice with the five headings and the dates; the account lists it and marks it read', async () => {
  const service = incidents();
  const incident = await service.open({
    summary: 'A support tool showed account emails to the wrong people.',
    scope: `family:${fam.familyId}`,
    occurredFrom: Date.parse('2026-11-20T00:00:00Z'),
    occurredTo: Date.parse('2026-11-21T00:00:00Z'),
  });
  await service.notify(incident.id);

  const listed = await call<NoticesResponse>('GET', '/v1/me/notices', { token: fam.guardian.token });
  expectStatus(listed, 200, 'listNotices');
  const notice = listed.json.notices.find((n) => n.incidentId === incident.id);
  assert.ok(notice, 'the notice is listed');
  assert.equal(listed.json.unread, 1);
  assert.deepEqual(notice.sections.map((s) => s.heading), [...NOTICE_HEADINGS]);
  assert.match(notice.sections[0]?.body ?? '', /between 2026-11-20 and 2026-11-21/);
  assert.equal(notice.occurredFrom, Date.parse('2026-11-20T00:00:00Z'));
  assert.ok(notice.noticeDate > 0 && notice.readAt === null);

  // Someone outside the scope sees nothing, and cannot mark another's notice.
  const others = await call<NoticesResponse>('GET', '/v1/me/notices', { token: bystander.token });
  assert.deepEqual(others.json.notices, []);
  expectStatus(await call('POST', `/v1/me/notices/${incident.id}/read`, { token: bystander.token }), 404, 'not theirs');
  expectStatus(await call('POST', '/v1/me/notices/not-an-id/read', { token: fam.guardian.token }), 400, 'malformed id');

  expectStatus(await call('POST', `/v1/me/notices/${incident.id}/read`, { token: fam.guardian.token }), 204, 'markNoticeRead');
  const again = await call<NoticesResponse>('GET', '/v1/me/notices', { token: fam.guardian.token });
  assert.equal(again.json.unread, 0);
  assert.ok((again.json.notices.find((n) => n.incidentId === incident.id)?.readAt ?? 0) > 0);
  expectStatus(await call('GET', '/v1/me/notices'), 401, 'signed out');
});

test('--force-sign-out ends every session of the affected accounts once, and says so in the notice', async () => {
  const victim = await person(call, 'victim');
  const second = await logIn(victim.email);
  expectStatus(second, 200);
  const service = incidents();
  const incident = await service.open({ summary: 'Session tokens were written to a log.', scope: `account:${victim.accountId}` });
  const result = await service.notify(incident.id, undefined, { forceSignOut: true });
  assert.equal(result.sent, 1);
  assert.equal(result.sessionsEnded, 2);
  expectStatus(await call('GET', '/v1/me', { token: victim.token }), 401, 'first session ended');
  expectStatus(await call('GET', '/v1/me', { token: second.json.token }), 401, 'second session ended');
  expectStatus(await call('GET', '/v1/me', { token: bystander.token }), 200, 'others keep theirs');
  const mail = await sink.next(victim.email, /Notice of Data Breach/);
  assert.match(mail.text, /signed your account out of every browser/);

  // Signing in again works, and notify running again does not sign the account out a second time.
  const fresh = await logIn(victim.email);
  expectStatus(fresh, 200, 'sign in again');
  const rerun = await service.notify(incident.id, undefined, { forceSignOut: true });
  assert.deepEqual({ skipped: rerun.skipped, sessionsEnded: rerun.sessionsEnded }, { skipped: 1, sessionsEnded: 0 });
  expectStatus(await call('GET', '/v1/me', { token: fresh.json.token }), 200);
  const notices = await call<NoticesResponse>('GET', '/v1/me/notices', { token: fresh.json.token });
  assert.equal(notices.json.notices.find((n) => n.incidentId === incident.id)?.signedOut, true);
});

test('--force-reset: sign-in answers "password reset required" and mails a link; after the reset the account signs in', async () => {
  const victim = await person(call, 'reset-victim');
  const service = incidents();
  const incident = await service.open({ summary: 'Password hashes were copied.', scope: `account:${victim.accountId}` });
  const result = await service.notify(incident.id, undefined, { forceReset: true });
  assert.equal(result.resetsRequired, 1);
  assert.ok(result.sessionsEnded >= 1, 'a required reset also ends the sessions');
  assert.match((await sink.next(victim.email, /Notice of Data Breach/)).text, /must choose a new password/);

  const refused = await logIn(victim.email);
  expectStatus(refused, 403, 'sign-in refused');
  assert.match(refused.text, /Password reset required/);
  const wrong = await logIn(victim.email, 'not the password at all, no');
  expectStatus(wrong, 401, 'a wrong password still learns only "wrong"');

  const reset = await sink.next(victim.email, /Reset your Burrow password/);
  const token = /#token=(bl_[A-Za-z0-9_-]{43})/.exec(reset.text)?.[1];
  assert.ok(token, 'a reset link was mailed');
  const newPassword = 'an entirely new passphrase for after the breach';
  expectStatus(await call('POST', '/v1/password-resets/complete', { body: { token, password: newPassword } }), 204, 'resetPassword');
  expectStatus(await logIn(victim.email), 401, 'the old password no longer works');
  expectStatus(await logIn(victim.email, newPassword), 200, 'the new one does');
  const row = await server.db.selectFrom('forced_password_resets').select('account_id').where('account_id', '=', victim.accountId).executeTakeFirst();
  assert.equal(row, undefined, 'the requirement is lifted');
});
