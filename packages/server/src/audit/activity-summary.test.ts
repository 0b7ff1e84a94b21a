/**
 * The weekly activity summary mail (audit/activity-summary.ts) on a real server with a manual clock and
 * a real SMTP sink: a guardian opts in, gets counts (never content) after ACTIVITY_SUMMARY_DAYS, not
 * twice for one period, and no more after opting out; a member cannot opt in; bad input is a 400.
 */
import { ACTIVITY_SUMMARY_DAYS, type ActivityResponse, type ActivitySummaryState } from '@burrow/api';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { createSmtpMailer } from '../mail/index.js';
import { PASSWORD, entry, expectStatus, family, person, publish, type Family, type Person } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(Date.UTC(2026, 2, 2));
let server: TestServer;
let sink: SmtpSink;
let call: Call;
let fam: Family;
let gran: Person;
let closeMailer: () => void = () => undefined;

before(async () => {
  sink = await startSmtpSink();
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true });
  closeMailer = () => mailer.close();
  server = await startTestServer({ mailer, clock });
  call = httpClient(server.url);
  fam = await family(call);
  gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member', { sendToToy: true, hearChild: true })]);
  expectStatus(await call('POST', '/v1/sessions', { body: { email: gran.email, password: PASSWORD } }), 200, 'logIn');
});
after(async () => {
  await server.close();
  closeMailer();
  await sink.close();
});

const path = () => `/v1/families/${fam.familyId}/activity/summary-mail`;
const SUMMARY = /Your Burrow family this week/;
const summaries = () => sink.mails.filter((m) => m.to === fam.guardian.email && SUMMARY.test(m.subject));

/** Events are written in batches after the answer: wait until the sign-in is in the log. */
async function waitForSignIn(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const res = await call<ActivityResponse>('GET', `/v1/families/${fam.familyId}/activity?kind=sign_in`, { token: fam.guardian.token });
    if (res.json.events.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the sign-in never reached the activity log');
}

test('a member cannot opt in, bad input is a 400 and changes nothing', async () => {
  expectStatus(await call('PUT', path(), { token: gran.token, body: { enabled: true } }), 403, 'member');
  expectStatus(await call('PUT', path(), { token: fam.guardian.token, body: { enabled: 'yes' } }), 400, 'not a boolean');
  const state = await call<ActivitySummaryState>('GET', path(), { token: fam.guardian.token });
  expectStatus(state, 200);
  assert.deepEqual(state.json, { enabled: false, everyDays: ACTIVITY_SUMMARY_DAYS, lastSentAt: null });
});

test('a guardian who opted in gets counts after a week, once; none after opting out', async () => {
  await waitForSignIn();
  const on = await call<ActivitySummaryState>('PUT', path(), { token: fam.guardian.token, body: { enabled: true } });
  expectStatus(on, 200, 'opt in');
  assert.equal(on.json.enabled, true);

  clock.advance(ACTIVITY_SUMMARY_DAYS * DAY - 60_000);
  await server.services.maintenance.run();
  assert.equal(summaries().length, 0, 'nothing before a week has passed');

  clock.advance(60_000);
  const results = await server.services.maintenance.run();
  assert.equal(results.activitySummaries?.deleted, 1, 'one summary sent');
  const [mail] = summaries();
  assert.ok(mail, 'the summary was mailed');
  assert.match(mail.text, /sign-ins: 1\b/, 'the member’s sign-in is counted');
  assert.match(mail.text, /family created: 1\b/);
  assert.match(mail.text, /child profiles added: 1\b/);
  for (const id of [gran.accountId, gran.email, fam.guardian.accountId, fam.childId])
    assert.ok(!mail.text.includes(id), 'no account, address or child id in the mail');
  // A week on, the guardian's first session has gone idle: sign in again.
  const again = await call<{ token: string }>('POST', '/v1/sessions', { body: { email: fam.guardian.email, password: PASSWORD } });
  expectStatus(again, 200, 'logIn');
  const state = await call<ActivitySummaryState>('GET', path(), { token: again.json.token });
  expectStatus(state, 200);
  assert.equal(state.json.lastSentAt, clock.now());

  await server.services.maintenance.run();
  assert.equal(summaries().length, 1, 'not twice for one period');

  expectStatus(await call('PUT', path(), { token: again.json.token, body: { enabled: false } }), 200, 'opt out');
  clock.advance(ACTIVITY_SUMMARY_DAYS * DAY);
  await server.services.maintenance.run();
  assert.equal(summaries().length, 1, 'no summary after opting out');
});
