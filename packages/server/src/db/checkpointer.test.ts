/**
 * The serving connection's WAL checkpoints run in a worker thread (checkpointer.ts): the serving
 * connection never checkpoints in a commit, the WAL stays bounded, an idle WAL is cut to 0 bytes,
 * an erasure's frames leave the disk, the data is whole after a close and a reopen, and a worker that
 * fails hands checkpoints back to the serving connection and is logged in one line. SQLite only:
 * on PostgreSQL the option does nothing (checked in both lanes).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import Database from 'libsql';
import { sql } from 'kysely';
import { createLogger } from '../logger.js';
import { decide, FALLBACK_AUTOCHECKPOINT_PAGES, logCheckpointFailure, startCheckpointer, type CheckpointerOptions } from './checkpointer.js';
import { checkpointAfterErasure } from './erase.js';
import { checkpointerOf, openDb } from './open-db.js';
import { unrecorded } from './query-shapes.js';

const scratch = mkdtempSync(join(tmpdir(), 'burrow-checkpointer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Fast timings, so the test waits on checkpoints that happen, never on a clock. */
const quick: CheckpointerOptions = { tickMs: 5, thresholdBytes: 256 * 1024, periodMs: 20, idleMs: 50 };
const ROW = 4096;

const pragma = async (db: Parameters<typeof checkpointAfterErasure>[0], text: string): Promise<Record<string, unknown>[]> =>
  (await unrecorded(() => sql<Record<string, unknown>>`${sql.raw(`pragma ${text}`)}`.execute(db))).rows;

void test('the policy: PASSIVE when a changed WAL is large or due, TRUNCATE only when idle, else nothing', () => {
  const o: CheckpointerOptions = { tickMs: 500, thresholdBytes: 1000, periodMs: 5000, idleMs: 10_000 };
  const seen = { changedSinceCheckpoint: true, changedSinceTruncate: true, size: 10, msSinceCheckpoint: 10, msSinceChange: 0 };
  assert.equal(decide(seen, o), null, 'small, recent: wait');
  assert.equal(decide({ ...seen, size: 1000 }, o), 'PASSIVE', 'past the threshold');
  assert.equal(decide({ ...seen, msSinceCheckpoint: 5000 }, o), 'PASSIVE', 'due by the timer');
  assert.equal(decide({ ...seen, changedSinceCheckpoint: false, size: 5000, msSinceCheckpoint: 60_000 }, o), null, 'unchanged: nothing to copy');
  assert.equal(decide({ ...seen, changedSinceCheckpoint: false, msSinceChange: 9_999 }, o), null, 'not idle yet');
  assert.equal(decide({ ...seen, changedSinceCheckpoint: false, msSinceChange: 10_000 }, o), 'TRUNCATE', 'idle');
  assert.equal(decide({ ...seen, changedSinceCheckpoint: false, changedSinceTruncate: false, msSinceChange: 60_000 }, o), null, 'already cut');
  assert.equal(decide({ ...seen, changedSinceCheckpoint: false, size: 0, msSinceChange: 60_000 }, o), null, 'empty');
});

void test('SQLite: the worker keeps the WAL bounded while the serving connection never checkpoints, cuts it when idle, and the data is whole after reopening', async () => {
  const path = join(scratch, 'bounded.db');
  const { db } = openDb({ kind: 'sqlite', path }, undefined, { checkpoints: quick });
  const checkpointer = checkpointerOf(db);
  assert.ok(checkpointer, 'a serving connection has a checkpoint worker');
  const digest = createHash('sha256');
  const ROUNDS = 40;
  const PER_ROUND = 50;
  let largestWal = 0;
  try {
    assert.equal(Number((await pragma(db, 'wal_autocheckpoint'))[0]!.wal_autocheckpoint), 0, 'no checkpoint inside a commit');
    await sql`create table t (id integer primary key, body blob not null)`.execute(db);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) {
        const body = randomBytes(ROW);
        digest.update(body);
        await sql`insert into t (body) values (${body})`.execute(db);
      }
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      // The next PASSIVE the timer starts after this round copies all of it; the next commit rewinds the WAL.
      const done = await checkpointer.next('PASSIVE');
      assert.equal(done.busy, 0);
      assert.equal(done.checkpointed, done.log, 'every frame copied into the database file');
    }
    const written = ROUNDS * PER_ROUND * ROW;
    // A round writes about 200 KiB of rows (and their pages): the WAL never holds much more than a round or two.
    assert.ok(largestWal < 2 * 1024 * 1024, `WAL at most ${String(largestWal)} bytes after ${String(written)} bytes written`);
    assert.ok(written > 4 * largestWal);
    assert.ok(checkpointer.counts.PASSIVE >= ROUNDS);
    // No writes now: the worker cuts the file to nothing.
    const cut = await checkpointer.next('TRUNCATE');
    assert.equal(cut.busy, 0);
    assert.equal(statSync(`${path}-wal`).size, 0);
  } finally {
    await db.destroy();
  }
  const reopened = openDb({ kind: 'sqlite', path });
  try {
    assert.equal((await pragma(reopened.db, 'integrity_check'))[0]!.integrity_check, 'ok');
    const rows = await sql<{ body: ArrayBuffer | Uint8Array }>`select body from t order by id`.execute(reopened.db);
    assert.equal(rows.rows.length, ROUNDS * PER_ROUND);
    const again = createHash('sha256');
    for (const r of rows.rows) again.update(new Uint8Array(r.body));
    assert.equal(again.digest('hex'), digest.digest('hex'), 'every byte written is read back');
  } finally {
    await reopened.db.destroy();
  }
});

void test('SQLite: after an erasure the worker empties the WAL, and neither file holds the deleted bytes', async () => {
  const path = join(scratch, 'erased.db');
  // Timers that never fire within the test: only the erasure's own checkpoint runs.
  const { db } = openDb({ kind: 'sqlite', path }, undefined, { checkpoints: { tickMs: 60_000, thresholdBytes: 1 << 30, periodMs: 60_000, idleMs: 60_000 } });
  const marker = `erase-me-${randomBytes(8).toString('hex')}`;
  try {
    await sql`create table t (id integer primary key, body text not null)`.execute(db);
    await sql`insert into t (body) values (${marker}), ('kept')`.execute(db);
    assert.ok(readFileSync(`${path}-wal`).includes(marker), 'the row is in the WAL before');
    await sql`delete from t where body = ${marker}`.execute(db);
    assert.equal(await checkpointAfterErasure(db), true);
    assert.equal(checkpointerOf(db)?.counts.ERASE, 1, 'the worker did it');
    assert.equal(statSync(`${path}-wal`).size, 0);
    assert.equal(readFileSync(path).includes(marker), false, 'secure_delete zeroed it in the file');
    const { rows } = await sql<{ body: string }>`select body from t`.execute(db);
    assert.deepEqual(rows, [{ body: 'kept' }]);
  } finally {
    await db.destroy();
  }
});

void test('SQLite: an erasure held up by an old reader never holds the writer’s lock while it waits: the serving connection writes meanwhile, and the WAL is emptied once the reader goes', async () => {
  const path = join(scratch, 'erase-reader.db');
  const { db } = openDb({ kind: 'sqlite', path }, undefined, { checkpoints: { tickMs: 60_000, thresholdBytes: 1 << 30, periodMs: 60_000, idleMs: 60_000 } });
  const reader = new Database(path);
  try {
    await sql`create table t (id integer primary key, body text not null)`.execute(db);
    await sql`insert into t (body) values ('before')`.execute(db);
    assert.equal(await checkpointAfterErasure(db), true, 'the worker is up (its start takes a while)');
    // A reader of an older snapshot: no TRUNCATE can finish while it reads.
    reader.exec('begin');
    reader.prepare('select count(*) from t').get();
    await sql`insert into t (body) values ('after the reader began')`.execute(db);
    // The serving connection waits at most 1 s for the lock (a request's write would wait on the event loop).
    await pragma(db, 'busy_timeout = 1000');
    const erased = checkpointAfterErasure(db);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the worker is retrying by now
    // Fails with SQLITE_BUSY when the worker's TRUNCATE waits for the reader holding the writer's lock (2 s).
    await sql`insert into t (body) values ('while the erasure waits')`.execute(db);
    reader.exec('commit');
    assert.equal(await erased, true, 'the erasure finished once the reader was gone');
    assert.equal(statSync(`${path}-wal`).size, 0);
    const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    assert.equal(rows[0]?.n, 3);
  } finally {
    reader.close();
    await db.destroy();
  }
});

void test('SQLite: under steady writes the worker rewinds the WAL after a complete copy, so the file stops growing', async () => {
  const path = join(scratch, 'steady.db');
  const { db } = openDb({ kind: 'sqlite', path }, undefined, { checkpoints: quick });
  try {
    await sql`create table t (id integer primary key, body blob not null)`.execute(db);
    const body = randomBytes(ROW);
    // 40 MiB in small transactions with only a turn of the event loop between them, for the worker to interleave with.
    for (let i = 0; i < 10_000; i++) {
      await db.transaction().execute((trx) => sql`insert into t (body) values (${body})`.execute(trx));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const mib = statSync(`${path}-wal`).size / 2 ** 20;
    // A WAL that never rewinds holds every frame these writes made: 86 MiB (measured without the
    // RESTART). Rewound, it stayed under 20 MiB on a quiet machine and reached 35 MiB in a CI run at
    // load 20, where the worker's thread got little time: the bound is between the two.
    assert.ok(mib < 60, `the WAL grew to ${mib.toFixed(1)} MiB for 40 MiB written`);
  } finally {
    await db.destroy();
  }
});

void test('SQLite: a one-shot connection keeps SQLite’s own checkpoints, and a process with a worker exits by itself after closing', async () => {
  const { db } = openDb({ kind: 'sqlite', path: join(scratch, 'one-shot.db') });
  try {
    assert.equal(checkpointerOf(db), undefined);
    assert.equal(Number((await pragma(db, 'wal_autocheckpoint'))[0]!.wal_autocheckpoint), 1000);
  } finally {
    await db.destroy();
  }
  // A serving process that closes its database ends without process.exit: the worker holds nothing open.
  const path = join(scratch, 'exits.db');
  const script = `
    const { openDb } = await import(${JSON.stringify(new URL('./open-db.js', import.meta.url).href)});
    const { sql } = await import('kysely');
    const { db } = openDb({ kind: 'sqlite', path: ${JSON.stringify(path)} }, undefined, { checkpoints: { tickMs: 5, thresholdBytes: 1, periodMs: 5, idleMs: 5 } });
    await sql\`create table t (x integer)\`.execute(db);
    await sql\`insert into t values (42)\`.execute(db);
    await db.destroy();
  `;
  // Compiled by npm test (scripts/build-tests.mjs), else the source through tsx.
  const loader = existsSync(fileURLToPath(new URL('./open-db.js', import.meta.url))) ? [] : ['--import', 'tsx'];
  const run = spawnSync(process.execPath, [...loader, '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(existsSync(`${path}-wal`), false, 'closed cleanly: no WAL left');
  const reopened = openDb({ kind: 'sqlite', path });
  try {
    assert.deepEqual((await sql<{ x: number }>`select x from t`.execute(reopened.db)).rows, [{ x: 42 }]);
  } finally {
    await reopened.db.destroy();
  }
});

const autocheckpoint = (db: Database.Database): number => Number((db.pragma('wal_autocheckpoint') as { wal_autocheckpoint: number }[])[0]!.wal_autocheckpoint);

void test('SQLite: a worker that cannot open the database gives the serving connection its own checkpoints back (the WAL stays bounded), and the failure is logged in one line without secrets', async () => {
  const path = join(scratch, 'fallback.db');
  const serving = new Database(path);
  serving.pragma('journal_mode = WAL');
  serving.pragma('synchronous = NORMAL');
  serving.exec('create table t (id integer primary key, body blob not null)');
  // A row whose bytes must never reach a log, whatever fails.
  const secret = `secret-${randomBytes(8).toString('hex')}`;
  serving.prepare('insert into t (body) values (?)').run([Buffer.from(secret)]);
  const lines: string[] = [];
  const log = logCheckpointFailure(createLogger('info', { write: (line: string) => void lines.push(line) }));
  // The failure: the worker is given a file in a folder that does not exist (SQLITE_CANTOPEN), as a
  // worker whose connection cannot be opened would be; the serving connection is fine.
  const told: Error[] = [];
  let failed: (err: Error) => void = () => undefined;
  const failure = new Promise<Error>((resolve) => (failed = resolve));
  const checkpointer = startCheckpointer(join(scratch, 'no-such-folder', 'fallback.db'), serving, quick, (err) => {
    told.push(err);
    log(err);
    failed(err);
  });
  after(() => checkpointer.stop());
  // Until the worker fails, the serving connection does not checkpoint in its commits.
  assert.equal(autocheckpoint(serving), 0);
  const err = await failure;
  await assert.rejects(checkpointer.next(), /not running/, 'nobody waits for a checkpoint that will not come');
  await assert.rejects(checkpointer.erase(), /not running/, 'an erasure checkpoints on its own connection instead (erase.ts)');
  assert.match(err.message, /^checkpoint worker: /);
  assert.equal(autocheckpoint(serving), FALLBACK_AUTOCHECKPOINT_PAGES, 'SQLite’s own checkpoints are back');

  // 24 MiB written in 1 MiB commits: SQLite checkpoints in the commit that passes 1,000 pages, so the
  // WAL file never holds much more than 4 MiB and a commit; without the fallback it would hold all 24.
  const insert = serving.prepare('insert into t (body) values (?)');
  const MIB = 1024 * 1024;
  let largestWal = 0;
  for (let i = 0; i < 24; i++) {
    insert.run([randomBytes(MIB)]);
    largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
  }
  assert.ok(largestWal < 7 * MIB, `WAL at most ${String(largestWal)} bytes after 24 MiB written`);
  assert.deepEqual(serving.pragma('integrity_check'), [{ integrity_check: 'ok' }]);

  // One error line: the message and nothing else — no stack, no worker data, no row.
  assert.equal(told.length, 1, 'told once');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(record.level, 50);
  assert.equal(record.msg, 'database: the checkpoint worker failed; SQLite checkpoints in commits again');
  assert.deepEqual(Object.keys(record).sort(), ['err', 'hostname', 'level', 'msg', 'pid', 'time']);
  assert.equal(typeof record.err, 'string');
  assert.match(record.err as string, /^checkpoint worker: [^\n]+$/);
  assert.equal(lines[0]!.includes(secret), false);
  assert.equal(/\bat .+:\d+:\d+/.test(lines[0]!), false, 'no stack frames');
  checkpointer.stop();
  serving.close();
});

void test('PostgreSQL: the checkpoint option does nothing (its own processes checkpoint)', async () => {
  const url = process.env.BURROW_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const { db } = openDb({ kind: 'postgres', url }, undefined, { checkpoints: quick });
  try {
    assert.equal(checkpointerOf(db), undefined);
    assert.equal(await checkpointAfterErasure(db), true);
    assert.equal((await sql<{ n: number }>`select 1 as n`.execute(db)).rows[0]!.n, 1);
  } finally {
    await db.destroy();
  }
});
