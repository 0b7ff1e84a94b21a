/**
 * A tripwire event that does not name its account finds it by the password set's PHC string through
 * the salt-prefix index (owner.ts, migration 0940), never by reading every account. On SQLite, and
 * on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createAccountEmails } from '../accounts/email-store.js';
import { resolvePepper } from '../accounts/pepper.js';
import { insertAccount } from '../accounts/store.js';
import { unrecorded, type Db, type Dialect } from '../db/index.js';
import { planOf } from '../testing/query-plan.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { accountByPasswordHashQuery, accountIdByPasswordHash } from './owner.js';

const ACCOUNTS = 300;
let scratch: ScratchDb;
let db: Db;
let dialect: Dialect;

const b64 = (n: number): string => randomBytes(n).toString('base64').replace(/=+$/, '');
/** A sweetword set's shape (honeywords.ts encodeSet): shared costs and salt, then 20 hashes of 32 bytes. */
const setOf = (salt: string): string => `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${b64(20 * 32)}`;
const hashes = new Map<string, string>();

before(async () => {
  scratch = await openScratchDb('tripwire-owner');
  ({ db, dialect } = scratch);
  const emails = createAccountEmails(resolvePepper({ config: { dataDir: scratch.dir, production: false, secrets: { pepper: 'p'.repeat(40), sessionKey: null } } }));
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

after(() => scratch.close());

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
  // With scans priced out (planOf), the plan shows whether an index serves the expression at all.
  const plan = await planOf(db, dialect, accountByPasswordHashQuery(db, hashes.get('account-42') ?? '').compile());
  if (dialect === 'sqlite') assert.match(plan, /SEARCH accounts USING INDEX accounts_password_salt \(<expr>=\?\)/, plan);
  else assert.match(plan, /Index Scan using accounts_password_salt|Bitmap Index Scan on accounts_password_salt/, plan);
});
