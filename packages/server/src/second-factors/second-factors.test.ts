import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { URI, type TOTP } from 'otpauth';
import { createLogger } from '../logger.js';
import { createMemoryMailer } from '../mail/index.js';
import { httpClient, type Call } from '../testing/http.js';
import { entry, expectStatus, family, PASSWORD, person, publish } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { softwarePasskey } from '../testing/software-passkey.js';

let server: TestServer;
let call: Call;
const mailer = createMemoryMailer();
const logLines: string[] = [];

before(async () => {
  server = await startTestServer({
    mailer,
    logger: createLogger('debug', { write: (l: string) => void logLines.push(l) }),
  });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2)}@example.com`;

interface SignedUp {
  accountId: string;
  token: string;
  recoveryCodes: string[];
}

async function signUp(label: string): Promise<SignedUp & { email: string }> {
  const email = unique(label);
  const res = await call<SignedUp>('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  expectStatus(res, 201);
  return { ...res.json, email };
}

/** Enrols TOTP on the account; returns the authenticator the test holds. */
async function enrolTotp(token: string): Promise<TOTP> {
  const begun = await call<{ secret: string; uri: string }>('POST', '/v1/me/totp', { token });
  expectStatus(begun, 200);
  const totp = URI.parse(begun.json.uri) as TOTP;
  const confirmed = await call('POST', '/v1/me/totp/confirm', { token, body: { code: totp.generate() } });
  expectStatus(confirmed, 200);
  return totp;
}

/** A code for the next time step: a fresh code the server has not accepted yet. */
const nextCode = (totp: TOTP) => totp.generate({ timestamp: Date.now() + 30_000 });

async function logIn(email: string, password = PASSWORD) {
  return call<{ secondFactorRequired?: true; pendingToken?: string; token?: string; methods?: string[] }>(
    'POST',
    '/v1/sessions',
    {
      body: { email, password },
    },
  );
}

test('TOTP enrolment: secret as text and otpauth:// URI; off until a code confirms it; a wrong code is refused', async () => {
  const a = await signUp('totp-enrol');
  const begun = await call<{ secret: string; uri: string }>('POST', '/v1/me/totp', { token: a.token });
  expectStatus(begun, 200);
  assert.match(begun.json.secret, /^[A-Z2-7]{32}$/);
  assert.match(begun.json.uri, /^otpauth:\/\/totp\/Burrow:/);
  assert.ok(begun.json.uri.includes(`secret=${begun.json.secret}`));
  // Not on yet: the password alone still signs in.
  expectStatus(await logIn(a.email), 200);
  const wrong = await call('POST', '/v1/me/totp/confirm', { token: a.token, body: { code: '000000' } });
  expectStatus(wrong, 400);
  const totp = URI.parse(begun.json.uri) as TOTP;
  const ok = await call<{ recoveryCodes: string[] }>('POST', '/v1/me/totp/confirm', {
    token: a.token,
    body: { code: totp.generate() },
  });
  expectStatus(ok, 200);
  assert.deepEqual(ok.json.recoveryCodes, [], 'the sign-up codes still stand');
  const me = await call<{ security: { totp: boolean; mustAdd: boolean } }>('GET', '/v1/me', {
    token: a.token,
  });
  assert.equal(me.json.security.totp, true);
  // The secret is stored sealed, never in clear, and never logged.
  const row = await server.db
    .selectFrom('totp_factors')
    .selectAll()
    .where('account_id', '=', a.accountId)
    .executeTakeFirstOrThrow();
  assert.ok(row.secret_ciphertext.startsWith('v1.'));
  assert.ok(!row.secret_ciphertext.includes(begun.json.secret));
  assert.ok(!logLines.some((l) => l.includes(begun.json.secret)), 'the TOTP secret is not logged');
});

test('with TOTP on, the password answers "second factor required" with a pending token that is not a session; the right code signs in', async () => {
  const a = await signUp('totp-login');
  const totp = await enrolTotp(a.token);
  const first = await logIn(a.email);
  expectStatus(first, 202);
  assert.equal(first.json.secondFactorRequired, true);
  assert.match(first.json.pendingToken ?? '', /^pl_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(first.json.methods, ['totp', 'recovery_code']);
  assert.equal(first.json.token, undefined);
  assert.equal(first.headers.get('set-cookie'), null, 'no session cookie before the second factor');
  expectStatus(
    await call('GET', '/v1/me', { token: first.json.pendingToken! }),
    401,
    'a pending token is not a session',
  );
  const wrong = await call('POST', '/v1/sessions/second-factor', {
    body: { pendingToken: first.json.pendingToken, code: '123456' },
  });
  expectStatus(wrong, 401);
  const code = nextCode(totp);
  const ok = await call<{ token: string; mustAddSecondFactor: boolean }>(
    'POST',
    '/v1/sessions/second-factor',
    {
      body: { pendingToken: first.json.pendingToken, code },
    },
  );
  expectStatus(ok, 200);
  assert.match(ok.json.token, /^bs_/);
  assert.equal(ok.json.mustAddSecondFactor, false);
  expectStatus(await call('GET', '/v1/me', { token: ok.json.token }), 200);
  // The pending token is single use.
  expectStatus(
    await call('POST', '/v1/sessions/second-factor', {
      body: { pendingToken: first.json.pendingToken, code },
    }),
    401,
  );
  // The same code (same time step) is refused on a fresh sign-in: a TOTP code works once.
  const again = await logIn(a.email);
  expectStatus(
    await call('POST', '/v1/sessions/second-factor', {
      body: { pendingToken: again.json.pendingToken, code },
    }),
    401,
    'reused code',
  );
});

test('a recovery code stands in for the second factor exactly once', async () => {
  const a = await signUp('totp-recovery');
  assert.equal(a.recoveryCodes.length, 10);
  assert.ok(a.recoveryCodes.every((c) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(c)));
  assert.equal(new Set(a.recoveryCodes).size, 10);
  await enrolTotp(a.token);
  const code = a.recoveryCodes[3]!;
  const p1 = await logIn(a.email);
  const ok = await call('POST', '/v1/sessions/second-factor', {
    body: { pendingToken: p1.json.pendingToken, code: code.toUpperCase() },
  });
  expectStatus(ok, 200);
  const p2 = await logIn(a.email);
  expectStatus(
    await call('POST', '/v1/sessions/second-factor', { body: { pendingToken: p2.json.pendingToken, code } }),
    401,
    'used twice',
  );
  const status = await call<{ recoveryCodes: number }>('GET', '/v1/me/security', { token: a.token });
  assert.equal(status.json.recoveryCodes, 9);
  // Only keyed hashes are stored.
  const rows = await server.db
    .selectFrom('recovery_codes')
    .select('code_hash')
    .where('account_id', '=', a.accountId)
    .execute();
  assert.equal(rows.length, 10);
  assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.code_hash) && !a.recoveryCodes.includes(r.code_hash)));
});

test('wrong second-factor codes are throttled (429 + Retry-After) and then even the right code waits', async () => {
  const a = await signUp('totp-guess');
  const totp = await enrolTotp(a.token);
  const pending = (await logIn(a.email)).json.pendingToken!;
  let limited = null;
  for (let i = 0; i < 12 && !limited; i++) {
    const res = await call('POST', '/v1/sessions/second-factor', {
      body: { pendingToken: pending, code: String(100000 + i) },
    });
    if (res.status === 429) limited = res;
    else expectStatus(res, 401);
  }
  assert.ok(limited, 'throttled within 12 wrong codes');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  const right = await call('POST', '/v1/sessions/second-factor', {
    body: { pendingToken: pending, code: nextCode(totp) },
  });
  expectStatus(right, 429, 'blocked while throttled');
});

test('turning TOTP off needs the password or a code, and is mailed and logged as a security event', async () => {
  const a = await signUp('totp-off');
  const totp = await enrolTotp(a.token);
  expectStatus(await call('DELETE', '/v1/me/totp', { token: a.token, body: {} }), 400);
  expectStatus(
    await call('DELETE', '/v1/me/totp', { token: a.token, body: { password: 'not the password at all' } }),
    401,
  );
  expectStatus(await call('DELETE', '/v1/me/totp', { token: a.token, body: { code: nextCode(totp) } }), 204);
  expectStatus(await logIn(a.email), 200, 'password alone again');
  const events = await call<{ events: { kind: string }[] }>('GET', '/v1/me/security-events', {
    token: a.token,
  });
  const kinds = events.json.events.map((e) => e.kind);
  for (const k of ['signed_up', 'totp_enabled', 'totp_disabled', 'signed_in'])
    assert.ok(kinds.includes(k), `${k} in ${kinds.join()}`);
  await server.app.ready();
  const mails = mailer.sent.filter((m) => m.to === a.email).map((m) => m.text);
  assert.ok(mails.some((t) => t.includes('was turned on')));
  assert.ok(mails.some((t) => t.includes('was turned off')));
});

test('password length: 15 characters while the password is the only factor, 8 once TOTP is on', async () => {
  const a = await signUp('length');
  const short = 'Qx7!vmPz2#kL'; // 12 characters, hard to guess
  const refused = await call<{ error: { message: string } }>('PUT', '/v1/me/password', {
    token: a.token,
    body: { currentPassword: PASSWORD, newPassword: short },
  });
  expectStatus(refused, 400);
  assert.match(refused.json.error.message, /at least 15 characters/);
  await enrolTotp(a.token);
  expectStatus(
    await call('PUT', '/v1/me/password', {
      token: a.token,
      body: { currentPassword: PASSWORD, newPassword: short },
    }),
    204,
  );
  const tooShort = await call<{ error: { message: string } }>('PUT', '/v1/me/password', {
    token: a.token,
    body: { currentPassword: short, newPassword: 'Qx7!vmP' },
  });
  expectStatus(tooShort, 400);
  assert.match(tooShort.json.error.message, /at least 8 characters/);
});

test('a short password left alone when the last second factor goes is refused at sign-in, with a reset link mailed', async () => {
  const a = await signUp('short-alone');
  const short = 'Qx7!vmPz2#kL'; // 12 characters: fine beside TOTP, not alone
  const totp = await enrolTotp(a.token);
  expectStatus(
    await call('PUT', '/v1/me/password', { token: a.token, body: { currentPassword: PASSWORD, newPassword: short } }),
    204,
  );
  // Turning TOTP off with that password is refused up front, and TOTP stays on.
  const refused = await call<{ error: { message: string } }>('DELETE', '/v1/me/totp', {
    token: a.token,
    body: { password: short },
  });
  expectStatus(refused, 400);
  assert.match(refused.json.error.message, /shorter than 15 characters/);
  expectStatus(await logIn(a.email, short), 202, 'TOTP still on');
  // With a code the server cannot see the password: the next sign-in closes the gap.
  expectStatus(await call('DELETE', '/v1/me/totp', { token: a.token, body: { code: nextCode(totp) } }), 204);
  const before = mailer.sent.length;
  const alone = await logIn(a.email, short);
  expectStatus(alone, 403);
  assert.equal(alone.json.token, undefined);
  assert.match(JSON.stringify(alone.json), /shorter than 15 characters/);
  await server.app.ready();
  assert.ok(mailer.sent.slice(before).some((m) => m.to === a.email && /reset-password/.test(m.text)), 'reset link mailed');
  // A wrong password still gets the ordinary answer: the gate says nothing to a guesser.
  expectStatus(await logIn(a.email, 'not the password at all, clearly'), 401);
});

test('passkey routes: options are made server-side; a forged answer, an unknown credential and a reused challenge are refused', async () => {
  const a = await signUp('passkey');
  const opts = await call<{
    challengeId: string;
    options: {
      challenge: string;
      rp: { id: string };
      user: { name: string };
      authenticatorSelection: { residentKey: string; userVerification: string };
    };
  }>('POST', '/v1/me/passkeys/options', { token: a.token });
  expectStatus(opts, 200);
  assert.equal(opts.json.options.rp.id, '127.0.0.1');
  assert.equal(opts.json.options.user.name, a.email);
  assert.equal(opts.json.options.authenticatorSelection.residentKey, 'required');
  assert.equal(opts.json.options.authenticatorSelection.userVerification, 'required');
  const forged = {
    id: 'AAAA',
    rawId: 'AAAA',
    type: 'public-key',
    response: { clientDataJSON: 'e30', attestationObject: 'oA' },
    clientExtensionResults: {},
  };
  expectStatus(
    await call('POST', '/v1/me/passkeys', {
      token: a.token,
      body: { challengeId: opts.json.challengeId, response: forged },
    }),
    400,
  );
  // The challenge was spent by that attempt.
  expectStatus(
    await call('POST', '/v1/me/passkeys', {
      token: a.token,
      body: { challengeId: opts.json.challengeId, response: forged },
    }),
    400,
  );
  const signIn = await call<{
    challengeId: string;
    options: { allowCredentials?: unknown[]; userVerification: string };
  }>('POST', '/v1/passkey-sign-ins/options');
  expectStatus(signIn, 200);
  assert.equal(
    signIn.json.options.allowCredentials,
    undefined,
    'usernameless: the browser offers its discoverable passkeys',
  );
  const assertion = {
    id: 'AAAA',
    rawId: 'AAAA',
    type: 'public-key',
    response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA', userHandle: 'AA' },
    clientExtensionResults: {},
  };
  expectStatus(
    await call('POST', '/v1/passkey-sign-ins', {
      body: { challengeId: signIn.json.challengeId, response: assertion },
    }),
    401,
  );
  const list = await call<{ passkeys: unknown[] }>('GET', '/v1/me/passkeys', { token: a.token });
  assert.deepEqual(list.json.passkeys, []);
  expectStatus(await call('DELETE', '/v1/me/passkeys/AAAAAAAAAAAAAAAAAAAAAA', { token: a.token }), 404);
});

test('a passkey from a software authenticator: registered, signs in without a password, its counter kept; a counter that did not move, or another origin, is refused', async () => {
  const a = await signUp('soft-passkey');
  const key = softwarePasskey();
  const opts = await call<{ challengeId: string; options: { challenge: string; user: { id: string } } }>('POST', '/v1/me/passkeys/options', { token: a.token });
  expectStatus(opts, 200);
  const made = await call<{ passkeyId: string; name: string }>('POST', '/v1/me/passkeys', {
    token: a.token,
    body: { challengeId: opts.json.challengeId, response: key.register(opts.json.options.challenge, server.url), name: 'Test laptop' },
  });
  expectStatus(made, 201, 'register');
  assert.equal(made.json.name, 'Test laptop');
  const listed = await call<{ passkeys: { passkeyId: string; lastUsedAt: number | null }[] }>('GET', '/v1/me/passkeys', { token: a.token });
  assert.deepEqual(listed.json.passkeys.map((p) => [p.passkeyId, p.lastUsedAt]), [[made.json.passkeyId, null]]);

  const signIn = async (answer: (challenge: string) => object) => {
    const options = await call<{ challengeId: string; options: { challenge: string } }>('POST', '/v1/passkey-sign-ins/options');
    expectStatus(options, 200);
    return call<{ token?: string }>('POST', '/v1/passkey-sign-ins', { body: { challengeId: options.json.challengeId, response: answer(options.json.options.challenge) } });
  };
  const first = await signIn((challenge) => key.signIn(challenge, server.url, opts.json.options.user.id));
  expectStatus(first, 200, 'passkey sign-in');
  assert.ok(first.json.token);
  expectStatus(await call('GET', '/v1/me', { token: first.json.token }), 200);
  const used = await call<{ passkeys: { lastUsedAt: number | null }[] }>('GET', '/v1/me/passkeys', { token: a.token });
  assert.ok((used.json.passkeys[0]?.lastUsedAt ?? 0) > 0, 'the sign-in is recorded on the passkey');
  // The stored counter is 1 now: an authenticator answering 1 again is a clone, and is refused.
  expectStatus(await signIn((challenge) => key.signIn(challenge, server.url, opts.json.options.user.id, 1)), 401, 'a counter that did not move');
  expectStatus(await signIn((challenge) => key.signIn(challenge, 'https://burrow.example', opts.json.options.user.id, 5)), 401, 'another origin');
  expectStatus(await signIn((challenge) => key.signIn(challenge, server.url, opts.json.options.user.id, 2)), 200, 'the counter moved on');
});

test('a family that requires a second factor: members without one are told at sign-in and cannot send or read until they enrol', async () => {
  const fam = await family(call);
  const member = await person(call, 'member');
  await publish(call, fam, [...fam.roster.devices, entry(member.keys, 'member')]);
  // The guardian must have a second factor first.
  const early = await call('PUT', `/v1/families/${fam.familyId}/second-factor-requirement`, {
    token: fam.guardian.token,
    body: { required: true },
  });
  expectStatus(early, 409);
  await enrolTotp(fam.guardian.token);
  const set = await call<{ required: boolean; membersWithout: number }>(
    'PUT',
    `/v1/families/${fam.familyId}/second-factor-requirement`,
    {
      token: fam.guardian.token,
      body: { required: true },
    },
  );
  expectStatus(set, 200);
  assert.deepEqual([set.json.required, set.json.membersWithout], [true, 1]);
  // Only a guardian may change it; another family's guardian sees nothing (404) and changes nothing.
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/second-factor-requirement`, {
      token: member.token,
      body: { required: false },
    }),
    403,
  );
  const stranger = await person(call, 'stranger');
  expectStatus(
    await call('GET', `/v1/families/${fam.familyId}/second-factor-requirement`, { token: stranger.token }),
    404,
  );
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/second-factor-requirement`, {
      token: stranger.token,
      body: { required: false },
    }),
    404,
  );
  // Told at sign-in and in /v1/me.
  const signedIn = await logIn(member.email);
  expectStatus(signedIn, 200);
  assert.equal((signedIn.json as { mustAddSecondFactor?: boolean }).mustAddSecondFactor, true);
  const me = await call<{ security: { mustAdd: boolean; requiredByFamily: boolean } }>('GET', '/v1/me', {
    token: member.token,
  });
  assert.deepEqual([me.json.security.requiredByFamily, me.json.security.mustAdd], [true, true]);
  // Family operations wait: reading messages and sending.
  const inbox = await call<{ error: { code: string; message: string } }>('GET', '/v1/inbox', {
    ...member.as,
  });
  expectStatus(inbox, 403);
  assert.match(inbox.json.error.message, /two-step sign-in/);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...member.as, body: {} }), 403);
  // The guardian (with TOTP) is not held back.
  expectStatus(await call('GET', '/v1/inbox', { ...fam.guardian.as }), 200);
  // After enrolling, the member can.
  await enrolTotp(member.token);
  expectStatus(await call('GET', '/v1/inbox', { ...member.as }), 200);
  const after = await call<{ membersWithout: number }>(
    'GET',
    `/v1/families/${fam.familyId}/second-factor-requirement`,
    { token: fam.guardian.token },
  );
  assert.equal(after.json.membersWithout, 0);
});
