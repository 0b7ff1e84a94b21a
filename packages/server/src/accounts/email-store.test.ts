/**
 * Email addresses at rest (accounts/email-store.ts): sealed, found by a keyed blind index, converted
 * from the clear column at start (incident notices' recipients too), found there by partial indexes,
 * guessing counters keyed, and routed through one module. On SQLite, and on PostgreSQL with
 * BURROW_TEST_PG_URL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { unrecorded } from '../db/index.js';
import { insertIncident, recordNotice, sealClearNoticeEmails } from '../incidents/store.js';
import { expectStatus, PASSWORD } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createAccountEmails, encryptClearEmails } from './email-store.js';
import { canonicalEmail } from './email.js';
import { resolvePepper } from './pepper.js';

let server: TestServer;
let call: ReturnType<typeof httpClient>;

before(async () => {
  server = await startTestServer({ tripwires: { canaryAccounts: 0 } });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

const unique = (label: string) => `${label}-${String(Date.now())}-${String(Math.random()).slice(2, 8)}@example.com`;

void test('sign-up stores no address in clear: a blind index and a ciphertext that opens only for its own account', async () => {
  const email = unique('sealed');
  const res = await call<{ accountId: string }>('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  expectStatus(res, 201);
  const row = await server.db.selectFrom('accounts').selectAll().where('id', '=', res.json.accountId).executeTakeFirstOrThrow();
  assert.match(row.email_index, /^[0-9a-f]{64}$/);
  assert.ok(row.email_ciphertext?.startsWith('e1.'));
  assert.ok(!JSON.stringify(row).includes(email.split('@')[0] ?? email), 'no part of the address is in the row');
  const emails = server.services.emails;
  assert.equal(emails.open(row), email);
  assert.equal(await emails.emailOf(server.db, row.id), email);
  // A ciphertext copied onto another account does not open (the account id is its associated data).
  assert.throws(() => emails.open({ ...row, id: 'another-account' }));
  // Two seals of one address differ (random nonce); the index does not (it is what finds the account).
  assert.notEqual(emails.seal(row.id, email), emails.seal(row.id, email));
  assert.equal(emails.indexOf(email), row.email_index);
});

void test('the address typed differently (spaces, capitals, a decomposed accent) finds the same account, once', async () => {
  const base = `zoë-${String(Date.now())}@example.com`;
  const res = await call<{ accountId: string }>('POST', '/v1/accounts', { body: { email: base, password: PASSWORD } });
  expectStatus(res, 201);
  // "ë" as e + combining diaeresis (NFD), upper case, surrounded by spaces.
  const variant = `  ${base.normalize('NFD').toUpperCase()} `;
  assert.notEqual(variant.trim(), base);
  assert.equal(canonicalEmail(variant), base);
  const signIn = await call<{ accountId: string }>('POST', '/v1/sessions', { body: { email: variant, password: PASSWORD } });
  expectStatus(signIn, 200);
  assert.equal(signIn.json.accountId, res.json.accountId);
  // Signing up again with the variant does not make a second account (the unique blind index).
  await call('POST', '/v1/accounts', { body: { email: variant, password: PASSWORD } });
  const n = await server.db.selectFrom('accounts').select('id').where('email_index', '=', server.services.emails.indexOf(base)).execute();
  assert.equal(n.length, 1);
});

void test('rows stored in clear before 0830 are sealed at start, in batches, and a second run changes nothing', async () => {
  const emails = server.services.emails;
  const legacy = Array.from({ length: 7 }, (_, i) => ({ id: `legacy-${String(i)}-${String(Date.now())}`, email: unique(`legacy${String(i)}`) }));
  // As migration 0830 leaves a row written before it: the address in clear in email_index, no ciphertext.
  for (const a of legacy)
    await server.db
      .insertInto('accounts')
      .values({ id: a.id, email_index: `  ${a.email.toUpperCase()}`, email_ciphertext: null, password_hash: 'x', created_at: 1, pepper_id: null, email_verified_at: null })
      .execute();
  // Readable (from the clear column) before conversion, so nothing breaks in between.
  assert.equal(await emails.emailOf(server.db, legacy[0]!.id), `  ${legacy[0]!.email.toUpperCase()}`);
  assert.equal(await encryptClearEmails(server.db, emails, 3), legacy.length);
  for (const a of legacy) {
    const row = await server.db.selectFrom('accounts').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.email_index, emails.indexOf(a.email));
    assert.equal(emails.open(row), a.email);
    assert.deepEqual(await emails.findByEmail(server.db, a.email), { id: a.id, email: a.email });
  }
  const before = await server.db.selectFrom('accounts').selectAll().orderBy('id').execute();
  assert.equal(await encryptClearEmails(server.db, emails, 3), 0, 'idempotent');
  assert.deepEqual(await server.db.selectFrom('accounts').selectAll().orderBy('id').execute(), before);
  // The keys come from the pepper (outside the database): another pepper finds nothing and opens nothing.
  const other = createAccountEmails(resolvePepper({ config: { dataDir: '/nonexistent', production: false, secrets: { pepper: 'x'.repeat(40), sessionKey: null } } }));
  assert.equal(await other.findByEmail(server.db, legacy[0]!.email), undefined);
  assert.throws(() => other.open(before[0]!));
});

void test('the start-up conversions find their rows through partial indexes: a start with nothing left to convert reads no table', async () => {
  // On SQLite the plan names the index; on PostgreSQL (whose planner may prefer a scan of a tiny
  // table) the index exists with its predicate.
  if (server.dialect === 'sqlite') {
    const plan = async (query: string): Promise<string> =>
      // SQLite's own EXPLAIN: the test's inspection, not a query of the product (db/query-shapes.ts).
      (await unrecorded(() => sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(server.db))).rows.map((r) => r.detail).join('; ');
    assert.match(await plan('select id, email_index from accounts where email_ciphertext is null order by id limit 500'), /USING INDEX accounts_email_clear/);
    assert.match(
      await plan(`select incident_id, account_id, email from incident_notices where email like '%@%' order by incident_id, account_id limit 500`),
      /USING INDEX incident_notices_email_clear/,
    );
  } else {
    const defs = (await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname in ('accounts_email_clear', 'incident_notices_email_clear') order by indexname`.execute(server.db)).rows;
    assert.equal(defs.length, 2);
    assert.match(defs[0]!.indexdef, /WHERE \(email_ciphertext IS NULL\)/);
    assert.match(defs[1]!.indexdef, /WHERE \(email ~~ '%@%'/);
  }
});

void test('incident notices written before 0830 (recipient in clear) are sealed at start, in batches, idempotently', async () => {
  const emails = server.services.emails;
  const incidentId = `legacy-incident-${String(Date.now())}`;
  await insertIncident(server.db, { id: incidentId, summary: 's', scope: 'all', information: 'i', actions: 'a', occurred_from: null, occurred_to: null, discovered_at: 1, opened_at: 1 });
  const recipients = Array.from({ length: 5 }, (_, i) => ({ accountId: `legacy-recipient-${String(i)}`, email: unique(`notice${String(i)}`) }));
  // As a notice row written before 0830 holds it: the address as mailed, in clear.
  for (const r of recipients) await recordNotice(server.db, { incidentId, accountId: r.accountId, email: r.email, error: null, now: 1 });
  assert.equal(await sealClearNoticeEmails(server.db, (id, email) => emails.seal(id, email), 2), recipients.length);
  const rows = await server.db.selectFrom('incident_notices').selectAll().where('incident_id', '=', incidentId).orderBy('account_id').execute();
  for (const [i, row] of rows.entries()) {
    assert.ok(!row.email.includes('@'), `sealed: ${row.email}`);
    assert.equal(emails.openSealed(row.account_id, row.email), recipients[i]!.email);
  }
  assert.equal(await sealClearNoticeEmails(server.db, (id, email) => emails.seal(id, email), 2), 0, 'idempotent');
  assert.deepEqual(await server.db.selectFrom('incident_notices').selectAll().where('incident_id', '=', incidentId).orderBy('account_id').execute(), rows);
});

void test('guessing counters are stored under a keyed HMAC of the address, not a hash a dictionary of addresses opens', async () => {
  const email = unique('guessed');
  await call('POST', '/v1/accounts', { body: { email, password: PASSWORD } });
  const wrong = await call('POST', '/v1/sessions', { body: { email, password: `${PASSWORD}-wrong` } });
  expectStatus(wrong, 401);
  const keys = (await server.db.selectFrom('auth_throttle').select('key').execute()).map((r) => r.key);
  const counter = `log-in-account\0${email}`;
  assert.ok(keys.includes(server.services.emails.throttleKeyOf(counter)), 'the failure is counted under the keyed HMAC');
  // What an attacker holding the dump (and not the pepper) would compute for each address of a list.
  for (const kind of ['log-in-account', 'mail', 'recovery-account'])
    assert.ok(!keys.includes(createHash('sha256').update(`${kind}\0${email}`).digest('hex')), `${kind}: no unkeyed SHA-256 of the address`);
  // Another pepper gives other keys: the table cannot be tested without this server's.
  const other = createAccountEmails(resolvePepper({ config: { dataDir: '/nonexistent', production: false, secrets: { pepper: 'y'.repeat(40), sessionKey: null } } }));
  assert.ok(!keys.includes(other.throttleKeyOf(counter)));
});

/** Every .ts file under dir, recursively. */
function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

void test('no folder but accounts/ names the address columns (they are read through email-store.ts)', () => {
  const src = join(import.meta.dirname, '..');
  const offenders: string[] = [];
  for (const file of sources(src)) {
    const rel = file.slice(src.length + 1);
    if (rel.startsWith('accounts/') || rel.startsWith('db/')) continue;
    const text = readFileSync(file, 'utf8');
    if (/email_index|email_ciphertext|accounts\.email\b|'email'\s*,\s*'='/.test(text)) offenders.push(rel);
  }
  assert.deepEqual(offenders, []);
});
