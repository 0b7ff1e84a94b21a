/**
 * The tripwires end to end, on a real server (SQLite, or PostgreSQL with BURROW_TEST_PG_URL; the
 * honeychecker is always its own SQLite file), with operator alerts read from a real SMTP sink.
 * The server trusts the loopback proxy, so each request names its client address in
 * X-Forwarded-For (a documentation address, RFC 5737) and each alert must name that address.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hash } from '@node-rs/argon2';
import { argon2Params } from '../accounts/passwords.js';
import { after, before, test } from 'node:test';
import { createSmtpMailer } from '../mail/index.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { httpClient, type Call } from '../testing/http.js';
import { expectStatus, PASSWORD, person } from '../testing/fixtures.js';
import { defaultArgon2, honeycheckerDirOf } from '../load-config.js';
import { HONEYCHECKER_FILE } from '../honeychecker/index.js';
import { decodeSet, TRIPWIRE_SUMMARIES, type Planted, type Tripwires } from './index.js';

const OPERATOR = 'ops@burrow.test';
let sink: SmtpSink;
let server: TestServer;
let call: Call;
let tw: Tripwires;
let planted: Planted;
let closeMailer: () => void;

before(async () => {
  sink = await startSmtpSink();
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true });
  closeMailer = () => {
    mailer.close();
  };
  // Production cost: the honeyword sets are made and checked at OWASP's argon2id parameters.
  server = await startTestServer({ mailer, tripwires: { operatorEmail: OPERATOR, canaryAccounts: 2 }, argon2: defaultArgon2, trustProxy: '127.0.0.1' });
  call = httpClient(server.url);
  tw = server.services.tripwires;
  planted = await tw.planted;
});

after(async () => {
  await server.close();
  closeMailer();
  await sink.close();
});

/** The client address a request claims through the trusted proxy. */
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
/** The alert mail's line naming the client address. */
const ipLine = (ip: string) => new RegExp(`^ip: ${ip.replace(/\./g, '\\.')}$`, 'm');
const signIn = (email: string, password: string, ip = '198.51.100.1') =>
  call('POST', '/v1/sessions', { body: { email, password }, ...from(ip) });
const incidents = () => server.db.selectFrom('incidents').selectAll().orderBy('opened_at').execute();
const operatorMails = () => sink.mails.filter((m) => m.to === OPERATOR);

/** A second real account whose sweetword set the test knows a decoy of (as a cracker would). */
async function accountWithKnownDecoy(): Promise<{ email: string; decoy: string }> {
  const someone = await person(call, 'cracked');
  assert.ok(tw.hasher);
  const decoy = 'a long enough test passwore';
  const stored = await tw.hasher.hashSweetwords([decoy, 'another long test password', PASSWORD], 2);
  await server.db
    .updateTable('accounts')
    .set({ password_hash: stored.hash, pepper_id: stored.pepperId })
    .where('id', '=', someone.accountId)
    .execute();
  return { email: someone.email, decoy };
}

void test('canaries are planted at first start, once: accounts and a family with a message and its blob', async () => {
  assert.equal(planted.accounts.length, 2);
  assert.ok(planted.family);
  for (const a of planted.accounts) {
    assert.ok(tw.isCanaryAccount(a.accountId));
    assert.ok(a.password.length >= 32, 'a canary password is random and long');
    assert.match(a.email, /^[a-z._0-9]+@burrow\.test$/);
  }
  const msg = await server.db
    .selectFrom('messages')
    .select(['id', 'blob_hash'])
    .where('id', '=', planted.family.messageId)
    .executeTakeFirstOrThrow();
  assert.ok(await server.blobs.has(`${planted.family.familyId}/${msg.blob_hash ?? ''}`));
  // Planting again plants nothing: it is idempotent.
  const { plantCanaries } = await import('./plant.js');
  assert.ok(tw.hasher);
  const again = await plantCanaries({
    db: server.db,
    emails: server.services.emails,
    clock: { now: () => Date.now() },
    log: server.app.log as never,
    hasher: tw.hasher,
    honeychecker: tw.honeychecker,
    blobs: server.blobs,
    canaryAccounts: 2,
    domains: ['burrow.test'],
  });
  assert.deepEqual(again, { accounts: [], family: null });
});

void test('a sign-in with the real password works and fires nothing', async () => {
  const someone = await person(call, 'real');
  const row = await server.db
    .selectFrom('accounts')
    .select('password_hash')
    .where('id', '=', someone.accountId)
    .executeTakeFirstOrThrow();
  const set = decodeSet(row.password_hash);
  assert.ok(set, 'the account got a sweetword set at sign-up');
  assert.equal(set.hashes.length, server.config.tripwires.honeywords);
  expectStatus(await signIn(someone.email, PASSWORD), 200, 'real password');
  await tw.settled();
  assert.equal((await incidents()).length, 0);
  assert.equal(operatorMails().length, 0);
});

void test('an account stored before honeywords gets its sweetword set at its next successful sign-in', async () => {
  const someone = await person(call, 'legacy');
  const pepper = readFileSync(join(server.dataDir, 'pepper'), 'utf8').trim();
  const legacy = await hash(PASSWORD, { ...argon2Params, secret: Buffer.from(pepper, 'utf8') });
  await server.db
    .updateTable('accounts')
    .set({ password_hash: legacy })
    .where('id', '=', someone.accountId)
    .execute();
  expectStatus(await signIn(someone.email, PASSWORD), 200, 'legacy sign-in');
  const row = await server.db
    .selectFrom('accounts')
    .select('password_hash')
    .where('id', '=', someone.accountId)
    .executeTakeFirstOrThrow();
  assert.equal(decodeSet(row.password_hash)?.hashes.length, server.config.tripwires.honeywords);
  expectStatus(await signIn(someone.email, PASSWORD), 200, 'sign-in with the new set');
});

void test('a decoy (honeyword) is refused exactly like a wrong password, opens an incident and mails the operator', async () => {
  const { email, decoy } = await accountWithKnownDecoy();
  const wrong = await signIn(email, 'not the password, not a decoy');
  const viaDecoy = await signIn(email, decoy, '203.0.113.7');
  assert.equal(viaDecoy.status, 401);
  assert.equal(viaDecoy.status, wrong.status);
  assert.equal(viaDecoy.text, wrong.text, 'the same body');
  assert.equal(viaDecoy.headers.get('content-type'), wrong.headers.get('content-type'));
  await tw.settled();
  const opened = (await incidents()).filter((i) => i.summary === TRIPWIRE_SUMMARIES['honeyword-login']);
  assert.equal(opened.length, 1);
  assert.equal(opened[0]?.scope, 'all');
  const mail = await sink.next(OPERATOR, /\[Burrow critical\] honeyword-login/);
  assert.match(mail.text, /burrow incident status inc_/);
  assert.match(mail.text, ipLine('203.0.113.7'), 'the alert names the address the decoy came from');
  assert.ok(!mail.text.includes(decoy), 'the alert never carries the password');
  // The real password still signs in (after the one failure).
  expectStatus(await signIn(email, PASSWORD), 200, 'real password after the decoy');
});

void test("a sign-in with a canary's password opens an incident and mails the operator; a wrong one alerts", async () => {
  const canary = planted.accounts[0];
  assert.ok(canary);
  const before = (await incidents()).length;
  const answer = await signIn(canary.email, 'a wrong password for a canary', '203.0.113.8');
  assert.equal(answer.status, 401);
  await tw.settled();
  assert.equal((await incidents()).length, before, 'a wrong password on a canary alerts but opens nothing');
  const attempt = await sink.next(OPERATOR, /\[Burrow medium\] canary-sign-in-attempt/);
  assert.match(attempt.text, ipLine('203.0.113.8'));

  const cracked = await signIn(canary.email, canary.password, '203.0.113.9');
  assert.equal(cracked.status, 401, 'a canary never signs in');
  assert.equal(cracked.text, answer.text);
  await tw.settled();
  const opened = (await incidents()).filter((i) => i.summary === TRIPWIRE_SUMMARIES['canary-password']);
  assert.equal(opened.length, 1);
  const mail = await sink.next(OPERATOR, /\[Burrow critical\] canary-login/);
  assert.match(mail.text, new RegExp(`accountId: ${canary.accountId}`));
  assert.match(mail.text, ipLine('203.0.113.9'));
  assert.ok(!mail.text.includes(canary.password));
});

void test("a password reset asked for a canary's address mails nothing to it and alerts naming the address that asked", async () => {
  const canary = planted.accounts[1];
  assert.ok(canary);
  expectStatus(await call('POST', '/v1/password-resets', { body: { email: canary.email }, ...from('203.0.113.10') }), 202, 'reset for a canary');
  await tw.settled();
  const mail = await sink.next(OPERATOR, /\[Burrow medium\] canary-mail/);
  assert.match(mail.text, new RegExp(`accountId: ${canary.accountId}`));
  assert.match(mail.text, ipLine('203.0.113.10'));
  assert.equal(sink.mails.filter((m) => m.to === canary.email).length, 0, 'the canary is never mailed');
});

void test('reading a canary message or blob through the API opens an incident', async () => {
  const family = planted.family;
  assert.ok(family);
  const reader = await person(call, 'reader');
  const res = await call('GET', `/v1/messages/${family.messageId}/blob`, {
    token: reader.token,
    device: reader.as.device,
    ...from('203.0.113.11'),
  });
  assert.equal(res.status, 404, 'the route still refuses a stranger as before');
  await tw.settled();
  const opened = (await incidents()).filter((i) => i.summary === TRIPWIRE_SUMMARIES['canary-read']);
  assert.equal(opened.length, 1);
  const named = await sink.next(OPERATOR, /\[Burrow critical\] canary-read: A request/);
  assert.match(named.text, ipLine('203.0.113.11'), 'the alert names the address that named the canary');
  // The storage port fires too (the same incident: at most one a day per kind), naming the reader's
  // address when the read says it (the message and review downloads do).
  const watched = tw.wrapBlobs(server.blobs);
  assert.ok(await watched.get(family.blobKey, { ip: '203.0.113.12' }));
  await tw.settled();
  const read = await sink.next(OPERATOR, /\[Burrow critical\] canary-read: A blob read/);
  assert.match(read.text, ipLine('203.0.113.12'));
  assert.equal((await incidents()).filter((i) => i.summary === TRIPWIRE_SUMMARIES['canary-read']).length, 1);
  assert.ok((tw.alerts.metrics().raised['canary-read:critical'] ?? 0) >= 2, 'both reads raised an alert');
  // Signed in or not: a stranger naming the canary family is refused as ever, and it fires.
  const raised = tw.alerts.metrics().raised['canary-read:critical'] ?? 0;
  expectStatus(await call('GET', `/v1/families/${family.familyId}`), 401, 'anonymous getFamily');
  await tw.settled();
  assert.equal(tw.alerts.metrics().raised['canary-read:critical'], raised + 1);
});

void test('the main database holds no trace of which sweetword is real nor which accounts are canaries', async () => {
  const canaryIds = new Set(planted.accounts.map((a) => a.accountId));
  const accounts = await server.db.selectFrom('accounts').selectAll().execute();
  const columns = Object.keys(accounts[0] ?? {}).sort();
  assert.deepEqual(columns, ['created_at', 'email_ciphertext', 'email_index', 'email_verified_at', 'id', 'password_hash', 'pepper_id']);
  for (const a of accounts) {
    const set = decodeSet(a.password_hash);
    // Every account, canary or not, holds a set of the same shape; its real index is nowhere in it.
    if (canaryIds.has(a.id) || set) assert.ok(set && set.hashes.length >= 2);
    assert.equal(a.email_verified_at === null ? canaryIds.has(a.id) : false, false);
  }
  // No table, and no value anywhere, names the honeychecker's knowledge.
  const dump = JSON.stringify(
    await Promise.all(
      (
        [
          'accounts',
          'families',
          'family_members',
          'devices',
          'messages',
          'blobs',
          'sign_in_browsers',
        ] as const
      ).map((t) => server.db.selectFrom(t).selectAll().execute()),
    ),
  );
  assert.doesNotMatch(dump, /canary|honey|sweetword|decoy/i);
});

void test('the honeychecker is its own 0600 file in its own 0700 folder, outside the data folder', () => {
  const dir = honeycheckerDirOf(server.config);
  assert.ok(!dir.startsWith(`${server.dataDir}/`), 'not inside the data folder');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(`${dir}/${HONEYCHECKER_FILE}`).mode & 0o777, 0o600);
  assert.equal(tw.honeychecker.file, `${dir}/${HONEYCHECKER_FILE}`);
});
