/**
 * Scheduled work runs once across nodes: two apps on one database (PostgreSQL in CI's second lane,
 * SQLite in the first) claim each run in `scheduled_runs`, and only the claimer runs it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBackupSchedule } from '../backup/schedule.js';
import { generateBackupIdentity } from '../backup/keys.js';
import { ManualClock } from '../clock/index.js';
import { openDb, type Db } from '../db/index.js';
import { createLogger } from '../logger.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createLeases, lastClaim } from './index.js';

const log = createLogger('silent');
let a: TestServer;
let b: TestServer;
let otherDb: Db;
let scratch: string;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'burrow-leases-'));
  a = await startTestServer();
  // A second node: its own process state and data folder, the same database.
  b = await startTestServer({
    existing: { dataDir: mkdtempSync(join(scratch, 'node-b-')), database: a.config.database },
  });
  otherDb = openDb(a.config.database).db;
});
after(async () => {
  await otherDb.destroy();
  await b.close();
  await a.close(); // drops the PostgreSQL database
  rmSync(scratch, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('two nodes start on one database: the start-up maintenance runs on one, the other skips it', async () => {
  const [ma, mb] = [a.services.maintenance, b.services.maintenance];
  await until(
    'both nodes ticked once',
    () => ma.stats().ran + ma.stats().skipped >= 1 && mb.stats().ran + mb.stats().skipped >= 1,
  );
  assert.deepEqual(
    { ran: ma.stats().ran + mb.stats().ran, skipped: ma.stats().skipped + mb.stats().skipped },
    { ran: 1, skipped: 1 },
  );
  const claim = await lastClaim(a.db, 'maintenance');
  const ranOn = ma.stats().ran === 1 ? a : b;
  assert.equal(claim?.node, ranOn.services.leases.node, 'the row names the node that ran it');
  assert.notEqual(a.services.leases.node, b.services.leases.node);
});

test('twenty claims racing from two database connections: exactly one runs the job', async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const nodes = [
    createLeases({ db: a.db, clock, node: 'one' }),
    createLeases({ db: otherDb, clock, node: 'two' }),
  ];
  let runs = 0;
  const outcomes = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      (nodes[i % 2] ?? nodes[0]!).once('race', 60_000, async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 20));
        return i;
      }),
    ),
  );
  assert.equal(runs, 1);
  assert.equal(outcomes.filter((o) => o.ran).length, 1);
});

test('a claim holds for its gap: the same job is refused within it and claimed again after it', async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 2));
  const one = createLeases({ db: a.db, clock, node: 'one' });
  const two = createLeases({ db: otherDb, clock, node: 'two' });
  const job = () => Promise.resolve('done');
  assert.deepEqual(await one.once('daily', 12 * 3_600_000, job), { ran: true, value: 'done' });
  clock.advance(11 * 3_600_000);
  assert.deepEqual(await two.once('daily', 12 * 3_600_000, job), { ran: false });
  assert.deepEqual(
    await one.once('daily', 12 * 3_600_000, job),
    { ran: false },
    'the claimer itself waits for the period too',
  );
  clock.advance(3_600_000);
  assert.deepEqual(await two.once('daily', 12 * 3_600_000, job), { ran: true, value: 'done' });
  assert.equal((await lastClaim(a.db, 'daily'))?.node, 'two');
  assert.equal(await lastClaim(a.db, 'never-run'), undefined);
});

test('scheduled backups on two nodes: one node backs up each period, the other counts it as done elsewhere', async () => {
  const keys = await generateBackupIdentity();
  // A clock that stands still: every tick falls in the period the first backup claimed.
  const clock = new ManualClock(Date.UTC(2026, 11, 3));
  const dir = join(scratch, 'backups');
  const schedulers = [a, b].map((node) =>
    startBackupSchedule({
      schedule: { everyMs: 100, dir, keep: 5, recipient: keys.recipient },
      database: node.config.database,
      db: node.db,
      blobs: node.blobs,
      clock,
      log,
      alertOperator: () => Promise.reject(new Error('no alert expected')),
      leases: createLeases({ db: node.db, clock }),
    }),
  );
  try {
    await until('both nodes ticked at least twice', () =>
      schedulers.every((s) => s.stats().runs + s.stats().elsewhere >= 2),
    );
  } finally {
    await Promise.all(schedulers.map((s) => s.stop()));
  }
  const stats = schedulers.map((s) => s.stats());
  assert.equal(stats[0]!.runs + stats[1]!.runs, 1, JSON.stringify(stats));
  assert.equal(stats[0]!.failures + stats[1]!.failures, 0);
  assert.equal(
    readdirSync(dir).filter((n) => n.startsWith('burrow-backup-')).length,
    1,
    'one backup was written',
  );
});
