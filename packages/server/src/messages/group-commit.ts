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
 * Each write runs inside its own savepoint, so one that fails (a duplicate message id, say) is rolled
 * back alone and rejects only its own caller; the others of the batch still commit. A failed COMMIT
 * rejects every write of its batch: none of them was acknowledged.
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
  /** Transactions committed and writes they carried, since start (for docs/performance.md and tests). */
  stats(): { batches: number; writes: number; largestBatch: number };
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
  const counts = { batches: 0, writes: 0, largestBatch: 0 };

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        // A write alone needs no savepoint: if it fails, the whole transaction rolls back and the
        // error is its own (below). Two statements less per write when requests do not overlap.
        if (batch.length === 1) {
          outcomes.push({ ok: true, value: await batch[0]!.work(trx) });
          return;
        }
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
