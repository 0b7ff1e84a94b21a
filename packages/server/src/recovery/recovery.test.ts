/**
 * Recovery over a real SMTP sink (smtp-server), read back with mailparser: password reset by a
 * single-use, expiring mailed link, and by a recovery code when the mailbox is out of reach.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { PASSWORD } from '../testing/fixtures.js';
import { mailFlows } from '../testing/mail-flows.js';

const clock = new ManualClock(Date.now());
const flows = mailFlows(clock);
const { req, unique, tokenIn, signUp } = flows;

test('password reset: same answer for unknown emails; the link works once, ends every session, and is told by mail', async () => {
  const email = unique('reset');
  const oldSession = await signUp(email);
  await flows.sink.next(email, /Confirm/);
  const known = await req('POST', '/v1/password-resets', { email });
  const unknownEmail = unique('nobody');
  const unknown = await req('POST', '/v1/password-resets', { email: unknownEmail });
  assert.equal(known.statusCode, 202);
  assert.equal(unknown.statusCode, 202);
  assert.equal(known.body, unknown.body);
  const link = tokenIn((await flows.sink.next(email, /Reset your Burrow password/)).text, '/reset-password');
  await assert.rejects(flows.sink.next(unknownEmail, undefined, 300), /no mail/);

  // A refused new password does not spend the link.
  const weak = await req('POST', '/v1/password-resets/complete', { token: link, password: 'password' });
  assert.equal(weak.statusCode, 400);
  assert.match(weak.json<{ error: { message: string } }>().error.message, /at least 15/);

  const newPassword = 'a brand new walrus passphrase';
  assert.equal((await req('POST', '/v1/password-resets/complete', { token: link, password: newPassword })).statusCode, 204);
  assert.equal((await req('GET', '/v1/me', undefined, oldSession)).statusCode, 401, 'old sessions end');
  assert.equal((await req('POST', '/v1/sessions', { email, password: PASSWORD })).statusCode, 401);
  assert.equal((await req('POST', '/v1/sessions', { email, password: newPassword })).statusCode, 200);
  const reused = await req('POST', '/v1/password-resets/complete', { token: link, password: 'yet another fine passphrase' });
  assert.equal(reused.statusCode, 400, 'single use');
  const notice = await flows.sink.next(email, /security change/);
  assert.match(notice.text, /reset/);
});


test('a reset link expires after an hour, is bound to its account and purpose, and garbage is a clear 400', async () => {
  const email = unique('expire');
  await signUp(email);
  const verifyLink = tokenIn((await flows.sink.next(email, /Confirm/)).text, '/verify-email');
  await req('POST', '/v1/password-resets', { email });
  const link = tokenIn((await flows.sink.next(email, /Reset/)).text, '/reset-password');
  // A verification token is not a reset token.
  assert.equal((await req('POST', '/v1/password-resets/complete', { token: verifyLink, password: 'a brand new walrus passphrase' })).statusCode, 400);
  clock.advance(60 * 60 * 1000 + 1);
  assert.equal((await req('POST', '/v1/password-resets/complete', { token: link, password: 'a brand new walrus passphrase' })).statusCode, 400);
  for (const token of ['', 'nope', 'bl_' + 'A'.repeat(43), 'x'.repeat(101)]) {
    const res = await req('POST', '/v1/password-resets/complete', { token, password: 'a brand new walrus passphrase' });
    assert.equal(res.statusCode, 400, token);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'bad_request');
  }
  assert.equal((await req('POST', '/v1/password-resets', { email: 'not an email' })).statusCode, 400);
});

test('a recovery code resets the password without email, once; an unknown email gets the same answer as a wrong code', async () => {
  const email = unique('reset-code');
  const res = await req('POST', '/v1/accounts', { email, password: PASSWORD });
  assert.equal(res.statusCode, 201, res.body);
  const a = res.json<{ token: string; recoveryCodes: string[] }>();
  const fresh = 'a brand new passphrase for grandma';
  const unknown = await req('POST', '/v1/password-resets/recovery-code', { email: unique('nobody'), recoveryCode: a.recoveryCodes[0], password: fresh });
  const wrong = await req('POST', '/v1/password-resets/recovery-code', { email, recoveryCode: 'zzzzz-zzzzz', password: fresh });
  assert.equal(unknown.statusCode, 400);
  assert.equal(unknown.body, wrong.body, 'identical answers');
  const ok = await req('POST', '/v1/password-resets/recovery-code', { email, recoveryCode: a.recoveryCodes[0], password: fresh });
  assert.equal(ok.statusCode, 204, ok.body);
  assert.equal((await req('GET', '/v1/me', undefined, a.token)).statusCode, 401, 'every session ended');
  assert.equal((await req('POST', '/v1/sessions', { email, password: fresh })).statusCode, 200);
  const reuse = await req('POST', '/v1/password-resets/recovery-code', { email, recoveryCode: a.recoveryCodes[0], password: PASSWORD });
  assert.equal(reuse.statusCode, 400, 'the code works once');
  assert.match((await flows.sink.next(email, /security change/)).text, /recovery codes/);
});
