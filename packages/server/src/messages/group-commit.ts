/**
 * Group commit for the message tables: concurrent writers (blob index rows, envelope rows) share one
 * database transaction, so many acknowledged requests pay for one durable commit — one WAL
 * fdatasync off the event loop on SQLite (db/open-db.ts `syncCommits`), one WAL flush on PostgreSQL
 * (synchronous_commit = on) — instead of one each. Acknowledged still means durable: `run` resolves
 * only after the shared COMMIT returned and its WAL is on stable storage.
 *
 * No timer and no added latency when idle: a write that finds no batch running starts one at once,
 * alone. Writes that arrive while a batch commits wait for it and then go together in the next one
 * (the classic leader/follower scheme), up to `maxBatch` per transaction.
 *
 * A write that fails (a duplicate message id, say) rejects only its own caller; the others of the
 * batch still commit. A batch first runs without savepoints; if one of its writes fails, the whole
 * transaction is rolled back and the batch runs again with each write in its own savepoint (two
 * statements a write saved in the common case, issue #11). A failed COMMIT rejects every write of its
 * batch: none of them was acknowledged.
 */
import { sql } from 'kysely';
import { syncCommits, type Db } from '../db/index.js';

export interface GroupCommit {
  /**
   * Runs `work` in a transaction shared with other concurrent writers and resolves with its result
   * once that transaction committed. `work` must use only the transaction it is given (the database
   * connection is held by the batch) and only for database writes: it delays every write of the batch.
   */
  run<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Transactions committed and writes they carried, since start (for docs/performance.md and tests);
   * `reruns`: batches run a second time, with savepoints, because one of their writes failed.
   */
  stats(): { batches: number; writes: number; largestBatch: number; reruns: number };
}

interface Job {
  work: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Writes per shared transaction at most: bounds how long one batch holds the connection. */
export const DEFAULT_MAX_BATCH = 128;

export function createGroupCommit(db: Db, { maxBatch = DEFAULT_MAX_BATCH }: { maxBatch?: number } = {}): GroupCommit {
  let queue: Job[] = [];
  let draining = false;
  const counts = { batches: 0, writes: 0, largestBatch: 0, reruns: 0 };

  /** Thrown inside the shared transaction to roll it back when a write of it failed (see runBatch). */
  class WriteFailed extends Error {}

  /**
   * Every write of the batch in one transaction, without savepoints: two statements less per write.
   * If one of them fails, the whole transaction is rolled back (nothing of it was acknowledged) and
   * false is returned, for the caller to run the batch again with a savepoint per write.
   */
  async function runOptimistic(batch: Job[]): Promise<Outcome[] | null> {
    const outcomes: Outcome[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: await job.work(trx) });
          } catch (error) {
            // A write alone needs no second run: the rollback leaves nothing, and the error is its own.
            if (batch.length === 1) throw error;
            throw new WriteFailed();
          }
        }
      });
    } catch (err) {
      if (err instanceof WriteFailed) return null;
      throw err;
    }
    return outcomes;
  }

  /** Each write in its own savepoint, so one that fails is rolled back alone and the others commit. */
  async function runIsolated(batch: Job[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await db.transaction().execute(async (trx) => {
      for (const job of batch) {
        // Savepoints work alike on SQLite and PostgreSQL; the name is reused job after job.
        await sql`savepoint burrow_write`.execute(trx);
        try {
          const value = await job.work(trx);
          await sql`release savepoint burrow_write`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sql`rollback to savepoint burrow_write`.execute(trx);
          await sql`release savepoint burrow_write`.execute(trx);
          outcomes.push({ ok: false, error });
        }
      }
    });
    return outcomes;
  }

  async function runBatch(batch: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      // Writes rarely fail (a duplicate message id, say): try the batch without savepoints first, and
      // only when one failed run it again with one savepoint per write. `work` only writes to the
      // database, so running it again after the rollback is safe.
      const optimistic = await runOptimistic(batch);
      if (optimistic) outcomes = optimistic;
      else {
        counts.reruns += 1;
        outcomes = await runIsolated(batch);
      }
      // The batch's WAL frames on stable storage before anyone hears "stored" (SQLite; a no-op on PostgreSQL).
      await syncCommits(db);
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    counts.batches += 1;
    counts.writes += batch.length;
    counts.largestBatch = Math.max(counts.largestBatch, batch.length);
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await runBatch(batch);
      }
    } finally {
      draining = false;
    }
  }

  return {
    run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) void drain();
      });
    },
    stats: () => ({ ...counts }),
  };
}
