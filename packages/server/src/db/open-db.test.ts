/**
 * PostgreSQL may close a connection that sits idle in the pool (a restart, a failover, an
 * administrator). That must be a logged event, not an uncaught exception that ends the server.
 * Runs on the PostgreSQL every machine has (BURROW_TEST_PG_URL, else 127.0.0.1:5432), in both lanes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import pg from 'pg';
import { openDb, syncCommits } from './open-db.js';

const adminUrl = process.env.BURROW_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `burrow_test_${randomBytes(6).toString('hex')}`;

async function admin(statement: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement, values);
  } finally {
    await client.end();
  }
}

after(async () => {
  await admin(`drop database if exists ${name} with (force)`);
});

test('an idle connection closed by PostgreSQL is reported, and the next query reconnects', async () => {
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const errors: Error[] = [];
  const { db } = openDb({ kind: 'postgres', url: url.toString() }, (err) => errors.push(err));
  try {
    // One query leaves one idle client in the pool.
    await sql`select 1`.execute(db);
    await admin('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.length, 1, 'the broken idle connection is reported once');
    assert.match(errors[0]!.message, /terminat/);
    const { rows } = await sql<{ n: number }>`select 2 as n`.execute(db);
    assert.equal(rows[0]!.n, 2);
  } finally {
    await db.destroy();
  }
});

test('SQLite: WAL with synchronous = NORMAL (no fsync on the event loop), and syncCommits flushes the WAL off it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-open-db-'));
  const path = join(dir, 'burrow.db');
  const { db } = openDb({ kind: 'sqlite', path });
  try {
    const { rows: journal } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    assert.equal(journal[0]!.journal_mode, 'wal');
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    assert.equal(Number(rows[0]!.synchronous), 1);
    await sql`create table t (x integer)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    // The committed frames are in the WAL file; syncCommits fdatasyncs it (and its folder, once).
    assert.ok(statSync(`${path}-wal`).size > 0);
    await syncCommits(db);
    await syncCommits(db);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite: a transaction that reads and then writes waits for another connection\'s write lock, and the connection stays usable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-open-db-'));
  const path = join(dir, 'burrow.db');
  const { db } = openDb({ kind: 'sqlite', path });
  try {
    await sql`create table t (x integer)`.execute(db);
    // Another connection (as the checkpoint worker's TRUNCATE does) holds the write lock for 300 ms.
    const other = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const other = new (require(workerData.libsql))(workerData.path);
       other.exec('begin immediate');
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
       other.exec('commit');
       other.close();`,
      { eval: true, workerData: { path, libsql: createRequire(import.meta.url).resolve('libsql') } },
    );
    await once(other, 'message');
    // A deferred transaction failed here at once (SQLITE_BUSY on the upgrade) and wedged the connection.
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      await sql`insert into t values (1)`.execute(trx);
    });
    await once(other, 'exit');
    await db.transaction().execute(async (trx) => {
      await sql`insert into t values (2)`.execute(trx);
    });
    const { rows } = await sql<{ x: number }>`select x from t order by x`.execute(db);
    assert.deepEqual(
      rows.map((r) => Number(r.x)),
      [1, 2],
    );
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL commits are durable: synchronous_commit is on', async () => {
  const { db } = openDb({ kind: 'postgres', url: adminUrl });
  try {
    const { rows } = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db);
    assert.equal(rows[0]!.synchronous_commit, 'on');
    await syncCommits(db); // nothing to add: COMMIT already flushed
  } finally {
    await db.destroy();
  }
});
