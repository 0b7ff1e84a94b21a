import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '@node-rs/argon2';
import { hashToken } from '../auth/index.js';
import { argon2Lane } from './argon2-slots.js';
import { defaultArgon2 } from '../config.js';
import { createLogger } from '../logger.js';
import { createMemoryMailer } from '../mail/index.js';
import { httpClient, type Call } from '../testing/http.js';
import { expectStatus, PASSWORD } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
const logLines: string[] = [];

before(async () => {
  server = await startTestServer({
    logger: createLogger('debug', { write: (line: string) => void logLines.push(line) }),
  });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2)}@example.com`;

test('sign up returns an account id and a bs_ token, and sets an HttpOnly SameSite=Strict session cookie', async () => {
  const res = await call<{ accountId: string; token: string }>('POST', '/v1/accounts', {
    body: { email: unique('ann'), password: PASSWORD },
  });
  expectStatus(res, 201);
  assert.match(res.json.token, /^bs_[A-Za-z0-9_-]{43}$/);
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, new RegExp(`^burrow_session=${res.json.token};`));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
  assert.doesNotMatch(cookie, /Secure/, 'no Secure flag without TLS');
});

test('the email is trimmed and lowercased, and getMe shows it', async () => {
  const email = unique('Bob').toUpperCase();
  const res = await call<{ token: string }>('POST', '/v1/accounts', {
    body: { email: `  ${email} `, password: PASSWORD },
  });
  expectStatus(res, 201);
  const me = await call<{ email: string; families: unknown[]; devices: unknown[] }>('GET', '/v1/me', {
    token: res.json.token,
  });
  expectStatus(me, 200);
  assert.equal(me.json.email, email.toLowerCase());
  assert.deepEqual(me.json.families, []);
  assert.deepEqual(me.json.devices, []);
});

test('the session cookie alone authenticates (browsers)', async () => {
  const res = await call<{ token: string }>('POST', '/v1/accounts', {
    body: { email: unique('cookie'), password: PASSWORD },
  });
  const me = await call('GET', '/v1/me', { cookie: `burrow_session=${res.json.token}` });
  expectStatus(me, 200);
});

test('signing up twice with the same email (whatever its case) does not say it is taken, and the decoy session opens nothing', async () => {
  const email = unique('dup');
  expectStatus(await call('POST', '/v1/accounts', { body: { email, password: PASSWORD } }), 201);
  const again = await call<{ token: string }>('POST', '/v1/accounts', {
    body: { email: email.toUpperCase(), password: 'another quite different passphrase' },
  });
  expectStatus(again, 201);
  expectStatus(await call('GET', '/v1/me', { token: again.json.token }), 401);
});

test('bad sign-up input is a 400 with a JSON error saying what is wrong, and creates nothing', async () => {
  const cases: [unknown, RegExp][] = [
    [{ email: 'not-an-email', password: PASSWORD }, /email/],
    [{ email: unique('short'), password: 'short' }, /password/],
    [{ email: unique('long'), password: 'x'.repeat(257) }, /password/],
    [{ email: unique('missing') }, /password/],
    [{ password: PASSWORD }, /email/],
    ['a string', /object/],
  ];
  for (const [body, pattern] of cases) {
    const res = await call<{ error: { code: string; message: string } }>('POST', '/v1/accounts', { body });
    expectStatus(res, 400, JSON.stringify(body));
    assert.equal(res.json.error.code, 'bad_request');
    assert.match(res.json.error.message, pattern);
  }
  const email = unique('short');
  await call('POST', '/v1/accounts', { body: { email, password: 'short' } });
  const count = await server.db.selectFrom('accounts').select('id').where('email_index', '=', server.services.emails.indexOf(email)).execute();
  assert.equal(count.length, 0);
});

test('malformed JSON is a 400 bad_request', async () => {
  const res = await call<{ error: { code: string } }>('POST', '/v1/accounts', {
    raw: '{"email": ',
    contentType: 'application/json',
  });
  expectStatus(res, 400);
  assert.equal(res.json.error.code, 'bad_request');
});

test('log in with the right password returns a new session', async () => {
  const email = unique('login');
  const signUp = await call<{ accountId: string; token: string }>('POST', '/v1/accounts', {
    body: { email, password: PASSWORD },
  });
  const logIn = await call<{ accountId: string; token: string }>('POST', '/v1/sessions', {
    body: { email: ` ${email.toUpperCase()}`, password: PASSWORD },
  });
  expectStatus(logIn, 200);
  assert.equal(logIn.json.accountId, signUp.json.accountId);
  assert.notEqual(logIn.json.token, signUp.json.token);
  expectStatus(await call('GET', '/v1/me', { token: logIn.json.token }), 200);
});

test('a wrong password and an unknown email get the same 401 answer', async () => {
  const email = unique('victim');
  await call('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  const wrong = await call('POST', '/v1/sessions', { body: { email, password: 'not the password' } });
  const unknown = await call('POST', '/v1/sessions', {
    body: { email: unique('nobody'), password: 'not the password' },
  });
  expectStatus(wrong, 401);
  expectStatus(unknown, 401);
  assert.deepEqual(wrong.json, {
    error: { code: 'unauthenticated', message: 'Email or password is wrong.', reason: 'credentials_wrong' },
  });
  assert.deepEqual(unknown.json, wrong.json);
  assert.equal(unknown.headers.get('set-cookie'), null);
});

test('an unknown email costs an argon2 verification too (no timing shortcut)', async () => {
  const email = unique('timing');
  await call('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  // Counted, not timed: every argon2id hash and check of this process goes through one lane
  // (accounts/argon2-slots.ts), so a lookup that skipped the verification would show as fewer runs.
  // A stopwatch here failed under CI load, where the known path's extra database writes dominate.
  const argon2RunsOf = async (body: unknown) => {
    const lane = { ...argon2Lane };
    let runs = 0;
    argon2Lane.run = (work) => {
      runs += 1;
      return lane.run(work);
    };
    try {
      expectStatus(await call('POST', '/v1/sessions', { body }), 401);
    } finally {
      Object.assign(argon2Lane, lane);
    }
    return runs;
  };
  // The first unknown email also makes the dummy hash; it is made once per process.
  await argon2RunsOf({ email: unique('warm'), password: 'warm up the dummy hash' });
  const known = await argon2RunsOf({ email, password: 'wrong password' });
  const unknown = await argon2RunsOf({ email: unique('nobody'), password: 'wrong password' });
  assert.ok(known >= 1, `a wrong password for a known email ran argon2 ${known} times`);
  assert.equal(unknown, known, 'an unknown email runs as many argon2 verifications as a known one');
});

test('log out ends the session and clears the cookie; the token no longer works', async () => {
  const res = await call<{ token: string }>('POST', '/v1/accounts', {
    body: { email: unique('bye'), password: PASSWORD },
  });
  const out = await call('DELETE', '/v1/sessions/current', { token: res.json.token });
  expectStatus(out, 204);
  assert.match(out.headers.get('set-cookie') ?? '', /burrow_session=;/);
  expectStatus(await call('GET', '/v1/me', { token: res.json.token }), 401);
  expectStatus(await call('DELETE', '/v1/sessions/current', { token: res.json.token }), 401);
});

test('passwords are stored as argon2id with OWASP parameters; tokens only as SHA-256', async (t) => {
  // This file's server hashes cheaply (testing/start-test-server.ts); this test checks the production cost.
  const server = await startTestServer({ argon2: defaultArgon2 });
  t.after(() => server.close());
  const call = httpClient(server.url);
  const email = unique('store');
  const res = await call<{ accountId: string; token: string }>('POST', '/v1/accounts', {
    body: { email, password: PASSWORD },
  });
  const row = await server.db
    .selectFrom('accounts')
    .select('password_hash')
    .where('id', '=', res.json.accountId)
    .executeTakeFirstOrThrow();
  assert.match(row.password_hash, /^\$argon2id\$/);
  const params = parseOptions(row.password_hash);
  assert.deepEqual(
    { m: params.memoryCost, t: params.timeCost, p: params.parallelism },
    { m: 19456, t: 2, p: 1 },
  );
  const sessions = await server.db
    .selectFrom('sessions')
    .select('token_hash')
    .where('account_id', '=', res.json.accountId)
    .execute();
  assert.deepEqual(sessions, [{ token_hash: hashToken(res.json.token) }]);
});

test('logs never contain passwords or tokens', async () => {
  const email = unique('logs');
  const secret = 'a password that must never be logged';
  const res = await call<{ token: string }>('POST', '/v1/accounts', { body: { email, password: secret } });
  await call('GET', '/v1/me', { token: res.json.token });
  await call('GET', '/v1/me', { cookie: `burrow_session=${res.json.token}` });
  await call('POST', '/v1/sessions', { body: { email, password: secret } });
  const logs = logLines.join('\n');
  assert.ok(logs.length > 0, 'something was logged');
  assert.ok(!logs.includes(secret), 'password in logs');
  assert.ok(!logs.includes(res.json.token), 'token in logs');
  assert.ok(!logs.includes(res.json.token.slice(3)), 'token in logs');
});

test('a garbage bearer token or cookie is 401, never 500', async () => {
  const attempts: Record<string, string>[] = [
    { authorization: 'Bearer bs_nope' },
    { authorization: 'Basic abc' },
    { authorization: 'Bearer ' + 'x'.repeat(500) },
    { cookie: 'burrow_session=%%%' },
  ];
  for (const headers of attempts) {
    const res = await call<{ error: { code: string } }>('GET', '/v1/me', { headers });
    expectStatus(res, 401, JSON.stringify(headers));
    assert.equal(res.json.error.code, 'unauthenticated');
  }
});

test('logs never contain mailed link tokens, the pepper, or new passwords (reset, change, verification)', async () => {
  const lines: string[] = [];
  const mailer = createMemoryMailer();
  const own = await startTestServer({
    logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
    mailer,
  });
  try {
    const c = httpClient(own.url);
    const email = unique('secret-logs');
    const signUp = await c<{ token: string }>('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
    const newPassword = 'a new password nobody should log';
    const changed = 'and another one for the change';
    await c('POST', '/v1/password-resets', { body: { email } });
    const resetMail = mailer.sent.find((m) => /Reset/.test(m.subject));
    const verifyMail = mailer.sent.find((m) => /Confirm/.test(m.subject));
    const resetToken = /#token=(bl_[\w-]+)/.exec(resetMail?.text ?? '')?.[1] ?? '';
    const verifyToken = /#token=(bl_[\w-]+)/.exec(verifyMail?.text ?? '')?.[1] ?? '';
    assert.ok(resetToken && verifyToken);
    expectStatus(await c('POST', '/v1/email-verifications', { body: { token: verifyToken } }), 204);
    expectStatus(await c('POST', '/v1/password-resets/complete', { body: { token: resetToken, password: newPassword } }), 204);
    const logIn = await c<{ token: string }>('POST', '/v1/sessions', { body: { email, password: newPassword } });
    expectStatus(
      await c('PUT', '/v1/me/password', { token: logIn.json.token, body: { currentPassword: newPassword, newPassword: changed } }),
      204,
    );
    const logs = lines.join('\n');
    const pepper = readFileSync(join(own.dataDir, 'pepper'), 'utf8').trim();
    for (const [what, secret] of [
      ['verification token', verifyToken],
      ['reset token', resetToken],
      ['pepper', pepper],
      ['new password', newPassword],
      ['changed password', changed],
      ['session token', signUp.json.token],
      ['session token', logIn.json.token],
    ] as const)
      assert.ok(!logs.includes(secret.slice(3)), `${what} in logs`);
    assert.match(logs, /generated a development pepper/);
  } finally {
    await own.close();
  }
});
