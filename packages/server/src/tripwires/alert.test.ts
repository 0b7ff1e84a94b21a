import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { createLogger } from '../logger.js';
import { createMemoryMailer, type Mailer } from '../mail/index.js';
import { createOperatorAlerts } from './index.js';

function setup(mailer: Mailer = createMemoryMailer()) {
  const lines: string[] = [];
  const clock = new ManualClock();
  const log = createLogger('info', { write: (l: string) => void lines.push(l) });
  const alerts = createOperatorAlerts({ mailer, log, clock, to: 'ops@example.org', throttleMs: 60_000 });
  return { alerts, clock, lines };
}

void test('an alert is logged without secret details, mailed to the operator and counted', async () => {
  const mailer = createMemoryMailer();
  const { alerts, lines } = setup(mailer);
  const out = await alerts.alertOperator({
    kind: 'canary-login',
    severity: 'critical',
    summary: 'A canary account signed in with its password.',
    details: { accountId: 'acc_1', ip: '203.0.113.9', password: 'hunter2-hunter2', tokenHash: 'abc' },
    subject: 'acc_1',
  });
  assert.deepEqual(out, { mailed: true, mailFailed: false });
  assert.equal(mailer.sent.length, 1);
  const mail = mailer.sent[0];
  assert.equal(mail?.to, 'ops@example.org');
  assert.match(mail?.subject ?? '', /^\[Burrow critical\] canary-login/);
  assert.match(mail?.text ?? '', /accountId: acc_1/);
  const everything = lines.join('\n') + (mail?.text ?? '');
  assert.ok(!everything.includes('hunter2'), 'no password in the log or the mail');
  assert.ok(!everything.includes('tokenHash'), 'keys that look secret are dropped');
  assert.match(lines.join('\n'), /"kind":"canary-login"/);
  assert.deepEqual(alerts.metrics().raised, { 'canary-login:critical': 1 });
  assert.match(
    alerts.prometheus(),
    /burrow_operator_alerts_total\{kind="canary-login",severity="critical"\} 1/,
  );
});

void test('duplicate alerts (same kind and subject) within the window send one mail; the next window says how many were held back', async () => {
  const mailer = createMemoryMailer();
  const { alerts, clock } = setup(mailer);
  const a = {
    kind: 'failed-sign-in-spike',
    severity: 'medium' as const,
    summary: 'Many failed sign-ins.',
    subject: '198.51.100.7',
  };
  for (let i = 0; i < 5; i++) await alerts.alertOperator(a);
  assert.equal(mailer.sent.length, 1);
  // Another subject is its own window.
  await alerts.alertOperator({ ...a, subject: '198.51.100.8' });
  assert.equal(mailer.sent.length, 2);
  // A more severe alert of the same kind and subject is not swallowed.
  await alerts.alertOperator({ ...a, severity: 'high' });
  assert.equal(mailer.sent.length, 3);
  clock.advance(61_000);
  await alerts.alertOperator(a);
  assert.equal(mailer.sent.length, 4);
  const m = alerts.metrics();
  assert.equal(m.throttled, 4);
  assert.equal(m.mailed, 4);
  assert.equal(m.raised['failed-sign-in-spike:medium'], 7);
});

void test('a failing mailer never fails the caller: the failure is logged and counted', async () => {
  const { alerts, lines } = setup({ send: () => Promise.reject(new Error('smtp down')) });
  const out = await alerts.alertOperator({ kind: 'x', severity: 'low', summary: 's' });
  assert.deepEqual(out, { mailed: false, mailFailed: true });
  assert.equal(alerts.metrics().mailFailures, 1);
  assert.match(lines.join('\n'), /operator alert mail failed/);
});
