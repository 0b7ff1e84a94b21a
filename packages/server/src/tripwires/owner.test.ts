/**
 * A tripwire event that does not name its account finds it by the password set's PHC string through
 * the salt-prefix index (owner.ts, migration 0940), never by reading every account. On SQLite, and
 * on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { createAccountEmails } from '../accounts/email-store.js';
import { resolvePepper } from '../accounts/pepper.js';
import { insertAccount } from '../accounts/store.js';
import { migrate, openDb, unrecorded, type Db, type Dialect } from '../db/index.js';
import { createPgDatabase } from '../testing/start-test-server.js';
import { accountByPasswordHashQuery, accountIdByPasswordHash } from './owner.js';

const ACCOUNTS = 300;
const pgUrl = process.env.BURROW_TEST_PG_URL || null;
const scratch = mkdtempSync(join(tmpdir(), 'burrow-tripwire-owner-'));
let db: Db;
let dialect: Dialect;
let drop: () => Promise<void> = () => Promise.resolve();

const b64 = (n: number): string => randomBytes(n).toString('base64').replace(/=+$/, '');
/** A sweetword set's shape (honeywords.ts encodeSet): shared costs and salt, then 20 hashes of 32 bytes. */
const setOf = (salt: string): string => `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${b64(20 * 32)}`;
const hashes = new Map<string, string>();

before(async () => {
  if (pgUrl) {
    const created = await createPgDatabase(pgUrl);
    drop = created.drop;
    ({ db, dialect } = openDb({ kind: 'postgres', url: created.url }));
  } else ({ db, dialect } = openDb({ kind: 'sqlite', path: join(scratch, 'burrow.db') }));
  await migrate(db, dialect);
  const emails = createAccountEmails(resolvePepper({ config: { dataDir: scratch, production: false, secrets: { pepper: 'p'.repeat(40), sessionKey: null } } }));
  // One transaction: the seeding's rows in one commit.
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < ACCOUNTS; i++) {
      const id = `account-${String(i)}`;
      hashes.set(id, setOf(b64(16)));
      await insertAccount(trx, emails, { id, email: `${id}@example.test`, passwordHash: hashes.get(id) ?? '', pepperId: 'p', createdAt: i, emailVerifiedAt: null });
    }
  });
  // The planner's statistics, as a seeded installation has them.
  await unrecorded(() => sql`analyze`.execute(db));
});

after(async () => {
  await db.destroy();
  await drop();
  rmSync(scratch, { recursive: true, force: true });
});

void test("a set's PHC string finds its account; the same salt with other hashes, or an unknown set, finds none", async () => {
  const hash = hashes.get('account-123') ?? '';
  assert.equal(await accountIdByPasswordHash(db, hash), 'account-123');
  // Same first 80 characters (costs and salt), different hashes: the whole string must match.
  assert.equal(await accountIdByPasswordHash(db, `${hash.slice(0, 100)}${b64(600)}`), undefined);
  assert.equal(await accountIdByPasswordHash(db, setOf(b64(16))), undefined);
  // A plain (legacy, one-output) hash is shorter than the prefix: still found whole.
  const short = '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA';
  await db.updateTable('accounts').set({ password_hash: short }).where('id', '=', 'account-7').execute();
  assert.equal(await accountIdByPasswordHash(db, short), 'account-7');
});

void test('the owner lookup is planned on accounts_password_salt, not on a scan of accounts', async () => {
  const compiled = accountByPasswordHashQuery(db, hashes.get('account-42') ?? '').compile();
  // Each engine's own EXPLAIN: the test's inspection, not a query of the product (db/query-shapes.ts).
  const plan = await unrecorded(async () => {
    if (dialect === 'sqlite') {
      const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r.detail).join('; ');
    }
    // With scans priced out, the plan shows whether an index serves the expression at all.
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN']).join('; ');
    });
  });
  if (dialect === 'sqlite') assert.match(plan, /SEARCH accounts USING INDEX accounts_password_salt \(<expr>=\?\)/, plan);
  else assert.match(plan, /Index Scan using accounts_password_salt|Bitmap Index Scan on accounts_password_salt/, plan);
});
