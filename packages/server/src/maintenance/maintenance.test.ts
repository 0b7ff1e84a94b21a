/** The daily maintenance: deletes in bounded batches, and only what has expired. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { deleteExpiredLinks } from '../accounts/links.js';
import { deleteExpiredThrottleRows, LONGEST_THROTTLE_WINDOW_MS } from '../accounts/throttle.js';
import { createAuditRecorder } from '../audit/index.js';
import { ManualClock } from '../clock/index.js';
import { unrecorded, type Db } from '../db/index.js';
import { createLeases, lastClaim } from '../leases/index.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { deleteExpiredSessions, SESSION_IDLE_MS, SESSION_TTL_MS } from '../sessions/store.js';
import { createMaintenance, createSlicer, deleteInBatches, MAINTENANCE_JOB, registerMaintenance } from './index.js';

const DAY = 24 * 60 * 60 * 1000;
const log = pino({ level: 'silent' });
let scratch: ScratchDb;
let db: Db;
const clock = new ManualClock(Date.UTC(2026, 5, 1));

before(async () => {
  scratch = await openScratchDb('maintenance');
  ({ db } = scratch);
  await db.insertInto('accounts').values({ id: 'acc', email_index: 'index-acc', email_ciphertext: 'sealed-acc', password_hash: 'x', created_at: 0, pepper_id: null, email_verified_at: null }).execute();
});
after(() => scratch.close());

const count = async (table: 'audit_events' | 'sessions' | 'account_links' | 'auth_throttle'): Promise<number> =>
  Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

test('the audit prune deletes 5,000 old events in batches of 1,000 (≥ 5 statements) and keeps the recent ones', async () => {
  const retentionMs = 30 * DAY;
  const old = clock.now() - retentionMs - DAY;
  const event = (at: number, i: number) => ({ at, action: 'sign_in', status: 200, account_id: null, device_id: null, session_ref: `s${String(i)}`, ip: null, family_id: null, resource: null });
  for (let start = 0; start < 5000; start += 500)
    await db.insertInto('audit_events').values(Array.from({ length: 500 }, (_, i) => event(old + start + i, start + i))).execute();
  await db.insertInto('audit_events').values(Array.from({ length: 10 }, (_, i) => event(clock.now() - DAY, 9000 + i))).execute();

  const recorder = createAuditRecorder({ db, clock, log, retentionMs });
  const sizes: number[] = [];
  const result = await deleteInBatches(
    async (limit) => {
      sizes.push(limit);
      return recorder.pruneBatch(limit);
    },
    { batchSize: 1000 },
  );
  assert.equal(result.deleted, 5000);
  assert.ok(result.batches >= 5, `${String(result.batches)} statements`);
  assert.ok(sizes.every((n) => n <= 1000), 'no statement asks for more than the batch');
  assert.equal(await count('audit_events'), 10, 'the events inside the retention period stay');
  console.log(`audit prune: 5,000 rows in ${String(result.batches)} statements, slowest ${result.slowestMs.toFixed(1)} ms`);
});

test('a slow batch halves the batch size', async () => {
  let left = 10_000;
  const sizes: number[] = [];
  const result = await deleteInBatches(
    async (limit) => {
      sizes.push(limit);
      await new Promise((resolve) => setTimeout(resolve, limit > 250 ? 20 : 1));
      const n = Math.min(limit, left);
      left -= n;
      return n;
    },
    { batchSize: 1000, startSize: 1000, maxBatchMs: 10 },
  );
  assert.equal(result.deleted, 10_000);
  assert.deepEqual(sizes.slice(0, 3), [1000, 500, 250]);
});

test('a job that reports its longest synchronous stretch is sized by it (not by its wall time), and a fast batch grows back', async () => {
  let left = 6_000;
  const sizes: number[] = [];
  const result = await deleteInBatches(
    async (limit) => {
      sizes.push(limit);
      // Slow on the wall (waiting on files) at every size, but busy only above 250 rows.
      await new Promise((resolve) => setTimeout(resolve, 15));
      const n = Math.min(limit, left);
      left -= n;
      return { scanned: n, deleted: n, busyMs: limit > 250 ? 20 : 1 };
    },
    { batchSize: 1000, startSize: 1000, maxBatchMs: 10 },
  );
  assert.equal(result.deleted, 6_000);
  assert.deepEqual(sizes.slice(0, 5), [1000, 500, 250, 500, 250], 'halved while busy, doubled when a batch was quick');
  assert.equal(result.slowestMs, 20, 'the slowest batch is its busy time, not the 15 ms it waited');
});

test('the first batch is small and fast batches double it up to the batch size: a slow job never starts with a long stretch', async () => {
  let left = 3_000;
  const sizes: number[] = [];
  let turns = 0;
  const result = await deleteInBatches(
    (limit) => {
      sizes.push(limit);
      const n = Math.min(limit, left);
      left -= n;
      return Promise.resolve({ scanned: n, deleted: n, busyMs: 1 });
    },
    { batchSize: 1000, pause: () => Promise.resolve(void turns++) },
  );
  assert.equal(result.deleted, 3_000);
  assert.deepEqual(sizes.slice(0, 5), [100, 200, 400, 800, 1000]);
  assert.equal(turns, result.batches - 1, 'a pause between every two batches');
});

test('a slicer yields to the event loop inside a batch once a slice has run its budget, and reports the longest slice', async () => {
  const slicer = createSlicer(5);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    for (let i = 0; i < 20; i++) {
      const until = performance.now() + 2;
      while (performance.now() < until); // 2 ms of synchronous work per item
      await slicer.next();
    }
  } finally {
    clearInterval(timer);
  }
  assert.ok(slicer.yields() >= 5, `${String(slicer.yields())} yields for 40 ms of work in 5 ms slices`);
  assert.ok(ticks >= 1, 'timers ran between the slices');
  assert.ok(slicer.longestMs() >= 5, 'the longest slice is at least the budget that ended it');
});

test("a job's loopMaxMs counts a hold of the event loop from its very first statement", async () => {
  // A batch that holds the loop for 200 ms the moment the job starts (as a first statement that scans
  // would): the event-loop histogram measures from one tick of its timer to the next, and reported
  // 20-30 ms for such a hold when the job began right after enabling it. A lower bound, not a speed.
  const hold = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const maintenance = createMaintenance({
    log: pino({ level: 'silent' }),
    jobs: {
      holds: (n) => {
        hold(200);
        return Promise.resolve(n - 1); // a short batch: the job ends
      },
    },
  });
  const results = await maintenance.run();
  assert.ok((results.holds?.loopMaxMs ?? 0) >= 150, `loopMaxMs ${String(results.holds?.loopMaxMs)}`);
});

test('the maintenance deletes expired sessions, account links and throttle rows, and keeps the live ones', async () => {
  const now = clock.now();
  const session = (hash: string, createdAt: number, expiresAt: number, lastUsedAt: number | null) => ({
    token_hash: hash, account_id: 'acc', created_at: createdAt, expires_at: expiresAt, id: hash, last_used_at: lastUsedAt, ip: null, user_agent: null,
  });
  await db
    .insertInto('sessions')
    .values([
      session('past-expiry', now - SESSION_TTL_MS - DAY, now - DAY, now - 2 * DAY),
      session('idle', now - 10 * DAY, now + 20 * DAY, now - SESSION_IDLE_MS - 1),
      session('never-used-idle', now - SESSION_IDLE_MS - 1, now + 20 * DAY, null),
      session('live', now - DAY, now + 29 * DAY, now - 60_000),
    ])
    .execute();
  const link = (hash: string, expiresAt: number) => ({ token_hash: hash, account_id: 'acc', purpose: 'reset_password' as const, created_at: expiresAt - 3_600_000, expires_at: expiresAt, used_at: null });
  await db.insertInto('account_links').values([link('old-link', now - 1), link('live-link', now + 60_000)]).execute();
  await db
    .insertInto('auth_throttle')
    .values([
      { key: 'stale', failures: 9, window_start: now - LONGEST_THROTTLE_WINDOW_MS - 1, blocked_until: now - DAY },
      { key: 'still-blocked', failures: 30, window_start: now - LONGEST_THROTTLE_WINDOW_MS - 1, blocked_until: now + 60_000 },
      { key: 'in-window', failures: 3, window_start: now - 3_600_000, blocked_until: 0 },
    ])
    .execute();

  const maintenance = createMaintenance({
    log,
    jobs: {
      sessions: (n) => deleteExpiredSessions(db, clock.now(), n),
      accountLinks: (n) => deleteExpiredLinks(db, clock.now(), n),
      throttle: (n) => deleteExpiredThrottleRows(db, clock.now(), n),
    },
    batch: { batchSize: 2 },
  });
  const results = await maintenance.run();
  assert.equal(results.sessions?.deleted, 3);
  assert.ok((results.sessions?.batches ?? 0) >= 2, 'three expired sessions at two a statement');
  assert.equal(results.accountLinks?.deleted, 1);
  assert.equal(results.throttle?.deleted, 1);
  assert.deepEqual((await db.selectFrom('sessions').select('token_hash').execute()).map((r) => r.token_hash), ['live']);
  assert.deepEqual((await db.selectFrom('account_links').select('token_hash').execute()).map((r) => r.token_hash), ['live-link']);
  assert.deepEqual((await db.selectFrom('auth_throttle').select('key').orderBy('key').execute()).map((r) => r.key), ['in-window', 'still-blocked']);
});

test('a claim that fails while the database cannot answer is tried again soon, and the run then happens once', async () => {
  // The lease table out of reach: each claim fails on the engine itself, as during an outage.
  const rename = (from: string, to: string) => unrecorded(() => sql`alter table ${sql.table(from)} rename to ${sql.table(to)}`.execute(db));
  await rename('scheduled_runs', 'scheduled_runs_away');
  const app = Fastify();
  let runs = 0;
  const scheduled = registerMaintenance(app, {
    log,
    jobs: {
      counted: () => {
        runs++;
        return Promise.resolve(0); // nothing to delete: one batch
      },
    },
    leases: createLeases({ db, clock, node: 'this-node' }),
    everyMs: DAY,
    retryMs: 5,
  });
  try {
    await app.ready();
    await until('two claims failed', () => scheduled.stats().failed >= 2);
    assert.equal(runs, 0);
    await rename('scheduled_runs_away', 'scheduled_runs');
    await until('the retried claim ran the jobs', () => scheduled.stats().ran === 1);
  } finally {
    await app.close();
  }
  assert.equal(runs, 1);
  assert.equal(scheduled.stats().skipped, 0);
  assert.equal((await lastClaim(db, MAINTENANCE_JOB))?.node, 'this-node');
});

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
