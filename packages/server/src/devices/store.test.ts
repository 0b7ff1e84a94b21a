/**
 * The devices table's reads on an event path use the index that fits, on both engines, once the
 * planner has statistics of a table shaped like a seeded installation (most rows are toys, whose
 * account_id is NULL). On SQLite, and on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { migrate, openDb, unrecorded, type Db, type Dialect } from '../db/index.js';
import { createAccountEmails } from '../accounts/email-store.js';
import { resolvePepper } from '../accounts/pepper.js';
import { insertAccount } from '../accounts/store.js';
import { createPgDatabase } from '../testing/start-test-server.js';
import { detachFromAccount, insertPersonDevice, insertToyDevice, ownerlessDevices, ownerlessDevicesQuery } from './store.js';

// A seeded installation's shape: about as many toys (account_id NULL) as people's devices, each of
// those under its own account, so the planner's statistics say "few rows per account_id".
const TOYS = 1500;
const PEOPLE = 1500;
const pgUrl = process.env.BURROW_TEST_PG_URL || null;
const scratch = mkdtempSync(join(tmpdir(), 'burrow-devices-store-'));
let db: Db;
let dialect: Dialect;
let drop: () => Promise<void> = () => Promise.resolve();

before(async () => {
  if (pgUrl) {
    const created = await createPgDatabase(pgUrl);
    drop = created.drop;
    ({ db, dialect } = openDb({ kind: 'postgres', url: created.url }));
  } else ({ db, dialect } = openDb({ kind: 'sqlite', path: join(scratch, 'burrow.db') }));
  await migrate(db, dialect);
  // One transaction: the seeding's thousands of rows in one commit.
  await db.transaction().execute(async (trx) => {
    const emails = createAccountEmails(resolvePepper({ config: { dataDir: scratch, production: false, secrets: { pepper: 'p'.repeat(40), sessionKey: null } } }));
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

after(async () => {
  await db.destroy();
  await drop();
  rmSync(scratch, { recursive: true, force: true });
});

void test('ownerlessDevices finds the detached person device among roster ids (toys, live devices and unknown ids are not)', async () => {
  assert.deepEqual(await ownerlessDevices(db, ['alice-phone', 'bob-laptop', 'toy-1', 'bob-phone', 'nobody']), ['bob-laptop']);
  assert.deepEqual(await ownerlessDevices(db, []), []);
});

void test('ownerlessDevices is planned on the primary key, not on devices_account_id (where every toy is a NULL to scan)', async () => {
  const compiled = ownerlessDevicesQuery(db, ['alice-phone', 'bob-laptop', 'bob-phone']).compile();
  // Each engine's own EXPLAIN: the test's inspection, not a query of the product (db/query-shapes.ts).
  const plan = await unrecorded(async () => {
    if (dialect === 'sqlite') {
      const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r.detail).join('; ');
    }
    // A table this small could be read whole by PostgreSQL's choice: with scans priced out, the plan
    // shows which index it takes.
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN']).join('; ');
    });
  });
  assert.doesNotMatch(plan, /devices_account_id/, plan);
  if (dialect === 'sqlite') assert.match(plan, /SEARCH devices USING INDEX sqlite_autoindex_devices_1 \(id=\?\)/, plan);
  else assert.match(plan, /devices_pkey/, plan);
});
