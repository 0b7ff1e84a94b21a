import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { startTestServer } from '../testing/start-test-server.js';
import { migrate } from './migrate.js';
import { openDb } from './open-db.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('SQLite: the data dir is 0700, the database file 0600, WAL and foreign keys are on', async () => {
  const root = mkdtempSync(join(tmpdir(), 'burrow-db-'));
  dirs.push(root);
  const dataDir = join(root, 'data');
  const { db, dialect } = openDb({ kind: 'sqlite', path: join(dataDir, 'burrow.db') });
  try {
    await migrate(db, dialect);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'burrow.db')).mode & 0o777, 0o600);
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    assert.equal(mode.rows[0]?.journal_mode, 'wal');
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
    assert.equal(fk.rows[0]?.foreign_keys, 1);
    await assert.rejects(
      db
        .insertInto('sessions')
        .values({ token_hash: 'x', account_id: 'no-such-account', created_at: 1, expires_at: 2 })
        .execute(),
    );
  } finally {
    await db.destroy();
  }
});

test('migrations run once: a second run applies nothing', async () => {
  const server = await startTestServer();
  try {
    const again = await migrate(server.db, server.dialect);
    assert.deepEqual(again.results, []);
  } finally {
    await server.close();
  }
});

test(`the schema holds no column for plaintext names or audio (${process.env.BURROW_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const server = await startTestServer();
  try {
    const tables = await server.db.introspection.getTables();
    const columns = tables.flatMap((t) => t.columns.map((c) => ({ table: t.name, column: c.name })));
    const has = (table: string, column: string) => columns.some((c) => c.table === table && c.column === column);
    assert.ok(has('children', 'profile_ciphertext'));
    assert.ok(has('toy_names', 'name_ciphertext'));
    for (const { table, column } of columns) {
      // A name may be kept only sealed: to the family's devices, or with the server's secret box.
      if (column.endsWith('_ciphertext')) continue;
      assert.doesNotMatch(column, /name|audio|birthday|photo|password$|token$/, `${table}.${column}`);
    }
  } finally {
    await server.close();
  }
});

test('int8 columns come back as numbers on both dialects', async () => {
  // No canary accounts (tripwires/): the count below is of this test's one row.
  const server = await startTestServer({ tripwires: { canaryAccounts: 0 } });
  try {
    await server.db
      .insertInto('accounts')
      .values({ id: 'a', email_index: 'index-a', email_ciphertext: 'sealed-a', password_hash: 'x', created_at: 1_790_000_000_000 })
      .execute();
    const row = await server.db.selectFrom('accounts').select('created_at').executeTakeFirstOrThrow();
    assert.equal(row.created_at, 1_790_000_000_000);
    const count = await server.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(count.n, 1);
  } finally {
    await server.close();
  }
});
