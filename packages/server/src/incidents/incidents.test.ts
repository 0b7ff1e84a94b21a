/** Incidents: who is told, with what (Cal. Civ. Code § 1798.82 headings), once, and against the 72-hour clock. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { createSmtpMailer, type Mailer } from '../mail/index.js';
import { hashToken } from '../auth/index.js';
import { entry, expectStatus, family, person, publish, type Family, type Person } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { NOTICE_HEADINGS } from './notice.js';
import { renderReport } from './report.js';
import { createIncidents, REGULATOR_DEADLINE_MS } from './service.js';
import { nodeEntry } from '../testing/processes.js';

let server: TestServer;
let sink: SmtpSink;
let mailer: Mailer;
let famA: Family;
let famB: Family;
let loner: Person;
const clock = new ManualClock(Date.parse('2026-11-27T12:00:00Z'));

before(async () => {
  // With a canary account, so the notices are seen to skip it.
  server = await startTestServer({ tripwires: { canaryAccounts: 1 } });
  sink = await startSmtpSink();
  mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <security@burrow.test>', ignoreTLS: true });
  const call = httpClient(server.url);
  famA = await family(call);
  famB = await family(call);
  loner = await person(call, 'loner');
  await server.services.tripwires.planted;
});
after(async () => {
  await sink.close();
  await server.close();
});

/** As the CLI builds it: canary accounts (tripwires/) are known to the honeychecker and never notified. */
const incidentsWith = (m: Mailer) =>
  createIncidents({ db: server.db, mailer: m, clock, contact: 'security@burrow.test', emails: server.services.emails, isCanaryAccount: (id) => server.services.tripwires.isCanaryAccount(id) });

/**
 * The server stamps audit events with real time, and an incident's window ends at the incidents'
 * clock by default: bring that clock up to now before searching the trail, or events written after
 * its fixed start date (every run after 27 November 2026) fall outside the window.
 */
function catchUpWithRealTime(): void {
  clock.advance(Math.max(0, Date.now() - clock.now()));
}

const mailsFor = (incidentId: string) => sink.mails.filter((m) => m.text.includes(incidentId));

test('an incident scoped to one family notifies exactly its guardians, with every required heading and the dates', async () => {
  const incidents = incidentsWith(mailer);
  const incident = await incidents.open({
    summary: 'A misconfigured firewall exposed the database port for six hours.',
    scope: `family:${famA.familyId}`,
    occurredFrom: Date.parse('2026-11-20T08:00:00Z'),
    occurredTo: Date.parse('2026-11-21T02:00:00Z'),
    discoveredAt: Date.parse('2026-11-26T09:30:00Z'),
  });
  assert.deepEqual((await incidents.affected(incident.id)).map((a) => a.email), [famA.guardian.email]);
  assert.deepEqual(await incidents.notify(incident.id), { sent: 1, failed: 0, skipped: 0, sessionsEnded: 0, resetsRequired: 0 });

  const mails = mailsFor(incident.id);
  assert.deepEqual(mails.map((m) => m.to), [famA.guardian.email]);
  const text = mails[0]?.text ?? '';
  let at = -1;
  for (const heading of NOTICE_HEADINGS) {
    const i = text.indexOf(`${heading}\n`);
    assert.ok(i > at, `"${heading}" present and in order`);
    at = i;
  }
  assert.match(text, /between 2026-11-20 and 2026-11-21/);
  assert.match(text, /discovered it on 2026-11-26/);
  assert.match(text, /Date of this notice: 2026-11-27/);
  assert.match(text, /misconfigured firewall/);
  assert.match(mails[0]?.subject ?? '', /Notice of Data Breach/);
});

test('an incident scoped to all notifies every account once, even when notify runs twice', async () => {
  const incidents = incidentsWith(mailer);
  const incident = await incidents.open({ summary: 'The database was copied by an attacker.', scope: 'all' });
  const everyone = [famA.guardian.email, famB.guardian.email, loner.email].sort();
  const first = await incidents.notify(incident.id);
  assert.equal(first.sent, 3);
  const second = await incidents.notify(incident.id);
  assert.deepEqual(second, { sent: 0, failed: 0, skipped: 3, sessionsEnded: 0, resetsRequired: 0 });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(mailsFor(incident.id).map((m) => m.to).sort(), everyone);
});

test('a failed delivery is recorded, shown in status, and retried by the next notify; the deadline counts down', async () => {
  const failing: Mailer = {
    send: (mail) => (mail.to === famB.guardian.email ? Promise.reject(new Error('550 mailbox unavailable')) : mailer.send(mail)),
  };
  const broken = incidentsWith(failing);
  const incident = await broken.open({ summary: 'Session tokens were logged.', scope: 'all', discoveredAt: clock.now() });
  assert.deepEqual(await broken.notify(incident.id), { sent: 2, failed: 1, skipped: 0, sessionsEnded: 0, resetsRequired: 0 });
  clock.advance(10 * 3_600_000);
  const status = await broken.status(incident.id);
  assert.equal(status.affected, 3);
  const failed = status.notices.filter((n) => n.status === 'failed');
  assert.deepEqual(failed.map((n) => [n.email, n.lastError]), [[famB.guardian.email, '550 mailbox unavailable']]);
  assert.equal(status.deadlineLeftMs, REGULATOR_DEADLINE_MS - 10 * 3_600_000);

  const fixed = incidentsWith(mailer);
  assert.deepEqual(await fixed.notify(incident.id), { sent: 1, failed: 0, skipped: 2, sessionsEnded: 0, resetsRequired: 0 });
  const after = await fixed.status(incident.id);
  assert.ok(after.notices.every((n) => n.status === 'sent'));
  assert.equal(after.notices.find((n) => n.email === famB.guardian.email)?.attempts, 2);

  const onTime = renderReport(after, 'security@burrow.test', clock.now());
  for (const section of ['(a) Nature of the breach', '(b) Contact point', '(c) Likely consequences', '(d) Measures taken'])
    assert.ok(onTime.includes(section), section);
  assert.match(onTime, /Notices sent: 3 of 3/);
  assert.ok(!onTime.includes('Reasons for the delay'));
  clock.advance(70 * 3_600_000);
  assert.match(renderReport(await fixed.status(incident.id), 'x', clock.now()), /Reasons for the delay/);
});

test('a family-scoped incident also reaches a guardian removed since, when the audit trail shows them acting as guardian in the window', async () => {
  const call = httpClient(server.url);
  const fam = await family(call);
  const second = await person(call, 'second-guardian');
  const start = Date.now();
  await publish(call, fam, [...fam.roster.devices, entry(second.keys, 'guardian')]);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/invitations`, { token: second.token, body: {} }), 201, 'createInvitation by the second guardian');
  await publish(call, fam, fam.roster.devices.filter((d) => d.id !== second.keys.deviceId));
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: second.token }), 404, 'removed guardian no longer sees the family');
  await server.services.breachWatch.recorder.flush();
  catchUpWithRealTime();

  const incidents = incidentsWith(mailer);
  const during = await incidents.open({ summary: 'Roster history leaked.', scope: `family:${fam.familyId}`, occurredFrom: start });
  assert.deepEqual((await incidents.affected(during.id)).map((a) => a.email).sort(), [fam.guardian.email, second.email].sort());
  const earlier = await incidents.open({ summary: 'Earlier leak.', scope: `family:${fam.familyId}`, occurredFrom: start - 7_200_000, occurredTo: start - 3_600_000 });
  assert.deepEqual((await incidents.affected(earlier.id)).map((a) => a.email), [fam.guardian.email], 'outside the window: only the guardians of now');
});

test('an incident scoped to what one session reached notifies the guardians of exactly the families it read', async () => {
  const call = httpClient(server.url);
  const fam = await family(call);
  const other = await family(call);
  expectStatus(await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }), 200);
  // Refused attempts on another family reached nothing there.
  expectStatus(await call('GET', `/v1/families/${other.familyId}`, { token: fam.guardian.token }), 404);
  await server.services.breachWatch.recorder.flush();
  catchUpWithRealTime();
  const ref = hashToken(fam.guardian.token).slice(0, 16);
  const incidents = incidentsWith(mailer);
  const reached = await incidents.open({ summary: 'A session token was stolen.', scope: `accessed-by:session:${ref}` });
  assert.deepEqual((await incidents.affected(reached.id)).map((a) => a.email), [fam.guardian.email]);
  const nobody = await incidents.open({ summary: 'An address probed.', scope: 'accessed-by:ip:203.0.113.9' });
  assert.deepEqual(await incidents.affected(nobody.id), []);
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('the CLI: open, notify (twice), status and report, mailing through BURROW_SMTP_URL', async () => {
  const out = mkdtempSync(join(tmpdir(), 'burrow-incident-'));
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      BURROW_DATA_DIR: server.dataDir,
      BURROW_SMTP_URL: sink.url,
      ...(server.config.database.kind === 'postgres' ? { BURROW_DATABASE_URL: server.config.database.url } : {}),
    };
    // Asynchronous: the SMTP sink lives in this process and must keep answering.
    const burrow = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [...nodeEntry(root, 'packages/server/src/cli.ts'), 'incident', ...args], { cwd: root, env });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const opened = await burrow('open', '--summary', 'Backups were readable by a contractor.', '--scope', `family:${famB.familyId}`, '--occurred', '2026-11-25');
    assert.equal(opened.code, 0, opened.out);
    assert.match(opened.out, /1 affected account/);
    const id = /Incident (inc_\w+) opened/.exec(opened.out)?.[1] ?? '';
    const notified = await burrow('notify', id);
    assert.equal(notified.code, 0, notified.out);
    assert.match(notified.out, /1 notified now, 0 already notified, 0 failed/);
    assert.match(notified.out, /notifying: 1\/1 done/);
    assert.match((await burrow('notify', id)).out, /0 notified now, 1 already notified/);
    const status = await burrow('status', id);
    assert.match(status.out, /h left/);
    assert.ok(status.out.includes(`sent    ${famB.guardian.email}`), status.out);
    const report = await burrow('report', id, '--out', join(out, 'report.md'));
    assert.equal(report.code, 0, report.out);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /Backups were readable by a contractor/);
    assert.equal((await burrow('open', '--summary', 'x', '--scope', 'everyone')).code, 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
