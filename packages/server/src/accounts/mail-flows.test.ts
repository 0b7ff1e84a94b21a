/**
 * Mail-driven flows of accounts over a real SMTP sink (smtp-server), read back with mailparser: the
 * verification link at sign-up, the notice to an address's owner when someone signs up with it,
 * notices of a sign-in from a new browser and of a password change. Password reset by link is in
 * recovery/recovery.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { PASSWORD } from '../testing/fixtures.js';
import { mailFlows } from '../testing/mail-flows.js';

const clock = new ManualClock(Date.now());
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
const flows = mailFlows(clock);
const { req, unique, tokenIn, signUp } = flows;

test('sign-up mails a verification link; it verifies the email once, and never again', async () => {
  const email = unique('verify');
  const token = await signUp(email);
  const mail = await flows.sink.next(email, /Confirm your email/);
  assert.match(mail.from, /no-reply@burrow\.test/);
  const link = tokenIn(mail.text, '/verify-email');
  assert.equal((await req('GET', '/v1/me', undefined, token)).json<{ emailVerified: boolean }>().emailVerified, false);
  assert.equal((await req('POST', '/v1/email-verifications', { token: link })).statusCode, 204);
  assert.equal((await req('GET', '/v1/me', undefined, token)).json<{ emailVerified: boolean }>().emailVerified, true);
  const again = await req('POST', '/v1/email-verifications', { token: link });
  assert.equal(again.statusCode, 400);
  assert.match(again.json<{ error: { message: string } }>().error.message, /already used, has expired/);
  // Nothing of the link is stored in clear.
  const rows = await flows.server.db.selectFrom('account_links').selectAll().execute();
  assert.ok(rows.every((r) => !JSON.stringify(r).includes(link.slice(3))));
});

test('a verification link expires after 24 hours; a new one can be asked for', async () => {
  const email = unique('late');
  const token = await signUp(email);
  const link = tokenIn((await flows.sink.next(email, /Confirm/)).text, '/verify-email');
  clock.advance(24 * 60 * 60 * 1000 + 1);
  assert.equal((await req('POST', '/v1/email-verifications', { token: link })).statusCode, 400);
  const resend = await req('POST', '/v1/me/email-verification', undefined, token);
  assert.equal(resend.statusCode, 202);
  const fresh = tokenIn((await flows.sink.next(email, /Confirm/)).text, '/verify-email');
  assert.equal((await req('POST', '/v1/email-verifications', { token: fresh })).statusCode, 204);
});

test('a sign-in from a browser the account has not used before is told by mail; a known one is not', async () => {
  const email = unique('notice');
  await signUp(email);
  await flows.sink.next(email, /Confirm/);
  assert.equal((await req('POST', '/v1/sessions', { email, password: PASSWORD })).statusCode, 200);
  assert.equal((await req('POST', '/v1/sessions', { email, password: PASSWORD }, undefined, SAFARI_IOS)).statusCode, 200);
  const mail = await flows.sink.next(email, /New sign-in/);
  assert.match(mail.text, /Safari on iOS/);
  assert.match(mail.text, /192\.0\.2\.1/);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(flows.sink.mails.filter((m) => m.to === email && /New sign-in/.test(m.subject)).length, 1);
});

test('changing the password needs the current one, ends the other sessions, and is told by mail', async () => {
  const email = unique('change');
  const first = await signUp(email);
  const second = (await req('POST', '/v1/sessions', { email, password: PASSWORD }, undefined, SAFARI_IOS)).json<{ token: string }>().token;
  const wrong = await req('PUT', '/v1/me/password', { currentPassword: 'not my password at all', newPassword: 'a brand new walrus passphrase' }, first);
  assert.equal(wrong.statusCode, 401);
  const weak = await req('PUT', '/v1/me/password', { currentPassword: PASSWORD, newPassword: 'qwe' }, first);
  assert.equal(weak.statusCode, 400);
  const ok = await req('PUT', '/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new walrus passphrase' }, first);
  assert.equal(ok.statusCode, 204, ok.body);
  assert.equal((await req('GET', '/v1/me', undefined, first)).statusCode, 200, 'this session stays');
  assert.equal((await req('GET', '/v1/me', undefined, second)).statusCode, 401, 'the other one ends');
  const notice = await flows.sink.next(email, /security change/);
  assert.match(notice.text, /password .* was changed, and 1 other session was signed out/);
});

test('sign-up with an existing email answers exactly as for a new one, creates nothing, and mails the owner', async () => {
  const email = unique('enum');
  const token = await signUp(email);
  await flows.sink.next(email, /Confirm/);
  const again = await req('POST', '/v1/accounts', { email: email.toUpperCase(), password: PASSWORD });
  const fresh = await req('POST', '/v1/accounts', { email: unique('enum-new'), password: PASSWORD });
  assert.equal(again.statusCode, fresh.statusCode);
  const a = again.json<{ accountId: string; token: string; recoveryCodes: string[] }>();
  assert.deepEqual(Object.keys(a).sort(), Object.keys(fresh.json<object>()).sort());
  assert.match(a.token, /^bs_[A-Za-z0-9_-]{43}$/);
  assert.match(a.accountId, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(a.recoveryCodes.length, 10);
  assert.ok(a.recoveryCodes.every((c) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(c)));
  assert.equal(again.headers['content-type'], fresh.headers['content-type']);
  assert.match(String(again.headers['set-cookie'] ?? ''), /^burrow_session=bs_/);
  const accounts = await flows.server.db.selectFrom('accounts').select('id').where('email_index', '=', flows.server.services.emails.indexOf(email)).execute();
  assert.equal(accounts.length, 1);
  assert.notEqual(a.accountId, accounts[0]?.id);
  assert.match((await flows.sink.next(email, /tried to sign up/)).text, /already has one/);
  assert.equal((await req('GET', '/v1/me', undefined, a.token)).statusCode, 401, 'the decoy session opens nothing');
  // The owner's password and sessions are untouched.
  assert.equal((await req('GET', '/v1/me', undefined, token)).statusCode, 200);
});
