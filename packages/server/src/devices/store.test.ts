/**
 * The devices table's reads on an event path use the index that fits, on both engines, once the
 * planner has statistics of a table shaped like a seeded installation (most rows are toys, whose
 * account_id is NULL). On SQLite, and on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { unrecorded, type Db, type Dialect } from '../db/index.js';
import { createAccountEmails } from '../accounts/email-store.js';
import { resolvePepper } from '../accounts/pepper.js';
import { insertAccount } from '../accounts/store.js';
import { planOf } from '../testing/query-plan.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { detachFromAccount, insertPersonDevice, insertToyDevice, ownerlessDevices, ownerlessDevicesQuery } from './store.js';

// A seeded installation's shape: about as many toys (account_id NULL) as people's devices, each of
// those under its own account, so the planner's statistics say "few rows per account_id".
const TOYS = 1500;
const PEOPLE = 1500;
let scratch: ScratchDb;
let db: Db;
let dialect: Dialect;

before(async () => {
  scratch = await openScratchDb('devices-store');
  ({ db, dialect } = scratch);
  // One transaction: the seeding's thousands of rows in one commit.
  await db.transaction().execute(async (trx) => {
    const emails = createAccountEmails(resolvePepper({ config: { dataDir: scratch.dir, production: false, secrets: { pepper: 'p'.repeat(40), sessionKey: null } } }));
    const account = (id: string) => insertAccount(trx, emails, { id, email: `${id}@example.test`, passwordHash: 'x', pepperId: null, createdAt: 0, emailVerifiedAt: null });
    for (const id of ['alice', 'bob']) await account(id);
    const keys = (id: string) => ({ id, signPublicKey: `s-${id}`, kemPublicKey: `k-${id}` });
    for (let i = 0; i < TOYS; i++) await insertToyDevice(trx, { ...keys(`toy-${String(i)}`), tokenHash: `h-${String(i)}`, createdAt: i });
    for (let i = 0; i < PEOPLE; i++) {
      await account(`person-${String(i)}`);
      await insertPersonDevice(trx, { ...keys(`phone-${String(i)}`), accountId: `person-${String(i)}`, createdAt: i });
    }
    await insertPersonDevice(trx, { ...keys('alice-phone'), accountId: 'alice', createdAt: 1 });
    await insertPersonDevice(trx, { ...keys('bob-phone'), accountId: 'bob', createdAt: 1 });
    await insertPersonDevice(trx, { ...keys('bob-laptop'), accountId: 'bob', createdAt: 2 });
    await detachFromAccount(trx, 'bob-laptop');
  });
  // The planner's statistics, as a seeded installation has them after ANALYZE (SQLite's optimize, PostgreSQL's autovacuum).
  await unrecorded(() => sql`analyze`.execute(db));
});

after(() => scratch.close());

void test('ownerlessDevices finds the detached person device among roster ids (toys, live devices and unknown ids are not)', async () => {
  assert.deepEqual(await ownerlessDevices(db, ['alice-phone', 'bob-laptop', 'toy-1', 'bob-phone', 'nobody']), ['bob-laptop']);
  assert.deepEqual(await ownerlessDevices(db, []), []);
});

void test('ownerlessDevices is planned on the primary key, not on devices_account_id (where every toy is a NULL to scan)', async () => {
  // A table this small could be read whole by PostgreSQL's choice: planOf prices scans out, so the
  // plan shows which index it takes.
  const plan = await planOf(db, dialect, ownerlessDevicesQuery(db, ['alice-phone', 'bob-laptop', 'bob-phone']).compile());
  assert.doesNotMatch(plan, /devices_account_id/, plan);
  if (dialect === 'sqlite') assert.match(plan, /SEARCH devices USING INDEX sqlite_autoindex_devices_1 \(id=\?\)/, plan);
  else assert.match(plan, /devices_pkey/, plan);
});
