/**
 * Deleting an account and exporting its data (erasure/; the family half is in family-erasure.test.ts): re-authentication, the last-guardian rule,
 * the mails (a real SMTP sink), the roster change a guardian signs for a deleted member's devices,
 * the toys told, and — by scanning every table, the SQLite file with its WAL, and the blob folder —
 * nothing of what was deleted left behind. The audit trail is the one table not scanned: it keeps
 * ids and addresses (never content) until its retention period ends (docs/security.md "Erasure").
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { URI, type TOTP } from 'otpauth';
import { PASSWORD, entry, expectStatus, family, person, publish } from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { SmtpSink } from '../testing/smtp-sink.js';
import type { TestServer } from '../testing/start-test-server.js';
import { everyRow, sendVoice, startMailingServer } from './test-support.js';

let server: TestServer;
let sink: SmtpSink;
let call: Call;
let close: (() => Promise<void>) | undefined;
before(async () => {
  ({ server, sink, call, close } = await startMailingServer());
});
after(async () => {
  await close?.();
});

async function enrolTotp(token: string): Promise<TOTP> {
  const begun = await call<{ uri: string }>('POST', '/v1/me/totp', { token });
  expectStatus(begun, 200, 'beginTotp');
  const totp = URI.parse(begun.json.uri) as TOTP;
  expectStatus(
    await call('POST', '/v1/me/totp/confirm', { token, body: { code: totp.generate() } }),
    200,
    'confirmTotp',
  );
  return totp;
}

test('a member deletes their account: wrong password changes nothing; then every row of it is gone, mails sent, and the guardian signs its device out', async () => {
  const fam = await family(call);
  const grandpa = await person(call, 'grandpa');
  await publish(call, fam, [...fam.roster.devices, entry(grandpa.keys, 'member')]);
  await sendVoice(call, fam, fam.guardian, [grandpa.keys, fam.guardian.keys]);
  // Grandpa signs in as a member, and the family's activity log (written after the answer) shows it.
  expectStatus(await call('POST', '/v1/sessions', { body: { email: grandpa.email, password: PASSWORD } }), 200, 'logIn');
  const signIns = async () =>
    (
      await call<{ events: { accountId: string | null }[] }>('GET', `/v1/families/${fam.familyId}/activity?kind=sign_in`, {
        token: fam.guardian.token,
      })
    ).json.events;
  for (let i = 0; !(await signIns()).some((e) => e.accountId === grandpa.accountId); i++) {
    assert.ok(i < 200, 'the sign-in reached the activity log');
    await new Promise((r) => setTimeout(r, 25));
  }

  const wrong = await call<{ error: { code: string } }>('POST', '/v1/me/deletion', {
    token: grandpa.token,
    body: { password: 'not the password at all' },
  });
  expectStatus(wrong, 401);
  expectStatus(await call('GET', '/v1/me', { token: grandpa.token }), 200, 'still there');

  expectStatus(
    await call('POST', '/v1/me/deletion', { token: grandpa.token, body: { password: PASSWORD } }),
    204,
    'deleteAccount',
  );
  expectStatus(await call('GET', '/v1/me', { token: grandpa.token }), 401, 'session gone');
  expectStatus(
    await call('POST', '/v1/sessions', { body: { email: grandpa.email, password: PASSWORD } }),
    401,
    'no sign-in',
  );
  assert.match((await sink.next(grandpa.email, /account was deleted/)).text, /backups keep a copy/);
  assert.match(
    (await sink.next(fam.guardian.email, /left your Burrow family/)).text,
    /Remove devices of deleted accounts/,
  );

  // Only its public keys wait, owned by nobody, for the guardian's signature; nothing names the account.
  const rows = await everyRow(server);
  assert.ok(!rows.includes(grandpa.accountId), 'a row still names the deleted account');
  assert.ok(!rows.includes(grandpa.email), 'a row still holds the deleted address');
  // The chained log keeps the event, under a pseudonym nothing maps back to the deleted account.
  assert.ok((await signIns()).some((e) => e.accountId === null), 'the sign-in stays, by nobody the family knows');
  assert.ok(!(await signIns()).some((e) => e.accountId === grandpa.accountId));
  const view = await call<{ departedDevices: string[] }>('GET', `/v1/families/${fam.familyId}`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(view.json.departedDevices, [grandpa.keys.deviceId]);

  await publish(
    call,
    fam,
    fam.roster.devices.filter((d) => d.id !== grandpa.keys.deviceId),
  );
  const after = await call<{ departedDevices: string[] }>('GET', `/v1/families/${fam.familyId}`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(after.json.departedDevices, []);
  // Old roster versions and envelopes still name it (they are the family's signed history); its row is gone.
  const device = await server.db
    .selectFrom('devices')
    .select('id')
    .where('id', '=', grandpa.keys.deviceId)
    .executeTakeFirst();
  assert.equal(device, undefined, 'the signed-out device is deleted');
});

test('the last guardian is told what to do, and nothing is deleted; a co-guardian may leave', async () => {
  const fam = await family(call);
  const res = await call<{ error: { code: string; message: string } }>('POST', '/v1/me/deletion', {
    token: fam.guardian.token,
    body: { password: PASSWORD },
  });
  expectStatus(res, 409);
  assert.match(
    res.json.error.message,
    /only guardian.*make another member a guardian.*or delete the family/s,
  );
  expectStatus(await call('GET', '/v1/me', { token: fam.guardian.token }), 200, 'still there');

  const dad = await person(call, 'dad');
  await publish(call, fam, [...fam.roster.devices, entry(dad.keys, 'guardian')]);
  expectStatus(
    await call('POST', '/v1/me/deletion', { token: dad.token, body: { password: PASSWORD } }),
    204,
    'co-guardian leaves',
  );
  expectStatus(await call('GET', '/v1/me', { token: dad.token }), 401);
});

test('an account with a second factor needs a current code as well as the password', async () => {
  const aunt = await person(call, 'aunt');
  const totp = await enrolTotp(aunt.token);
  const none = await call<{ error: { message: string } }>('POST', '/v1/me/deletion', {
    token: aunt.token,
    body: { password: PASSWORD },
  });
  expectStatus(none, 400);
  assert.match(none.json.error.message, /two-step sign-in/);
  expectStatus(
    await call('POST', '/v1/me/deletion', {
      token: aunt.token,
      body: { password: PASSWORD, code: '000000' },
    }),
    401,
  );
  expectStatus(await call('GET', '/v1/me', { token: aunt.token }), 200, 'still there');
  const code = totp.generate({ timestamp: Date.now() + 30_000 });
  expectStatus(
    await call('POST', '/v1/me/deletion', { token: aunt.token, body: { password: PASSWORD, code } }),
    204,
  );
  expectStatus(await call('GET', '/v1/me', { token: aunt.token }), 401);
});

test('an account exports what the server holds about it: account, families, devices, sessions, security log, audit events', async () => {
  const fam = await family(call);
  const me = fam.guardian;
  interface Exported {
    account: { accountId: string; email: string };
    families: { familyId: string; role: string }[];
    devices: { deviceId: string }[];
    sessions: { sessionId: string | null }[];
    securityEvents: { kind: string }[];
    auditEvents: { action: string; familyId: string | null }[];
  }
  // The audit trail is written in batches: wait (generously) for the family's creation to be in it.
  const deadline = Date.now() + 20_000;
  let res = await call<Exported>('GET', '/v1/me/export', { token: me.token });
  while (!res.json.auditEvents.some((e) => e.familyId === fam.familyId) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    res = await call<Exported>('GET', '/v1/me/export', { token: me.token });
  }
  expectStatus(res, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.deepEqual(res.json.account.accountId, me.accountId);
  assert.equal(res.json.account.email, me.email);
  assert.deepEqual(res.json.families, [{ familyId: fam.familyId, role: 'guardian' }]);
  assert.deepEqual(
    res.json.devices.map((d) => d.deviceId),
    [me.keys.deviceId],
  );
  assert.equal(res.json.sessions.length, 1);
  assert.ok(
    res.json.auditEvents.some((e) => e.familyId === fam.familyId),
    'the audit events naming the account',
  );
  // Nobody else's: another account's export names neither this account nor its family.
  const other = await person(call, 'other');
  const theirs = await call<Exported>('GET', '/v1/me/export', { token: other.token });
  expectStatus(theirs, 200);
  assert.ok(!JSON.stringify(theirs.json).includes(me.accountId));
  assert.ok(!JSON.stringify(theirs.json).includes(fam.familyId));
});
