/**
 * Deleting many rows without stalling the service: a maintenance job deletes in short statements
 * (each its own transaction) and yields to the event loop between them, so requests queued behind
 * the database get their turn. The first batch is small (`startSize`): a job whose rows are slow
 * to delete never starts with a long stretch. A batch slower than `maxBatchMs` (25 ms) halves the
 * batch size; one much faster (under a quarter of it) doubles it, up to `batchSize`. A job that
 * loops over items inside a batch (families, blobs) slices its work with `createSlicer`.
 */

/**
 * Deletes up to `limit` rows in one statement; returns how many it deleted. A job that pages through
 * candidates instead (the retention sweep) returns how many rows it looked at (`scanned`, which says
 * whether another batch runs: a short page is the end) and how many it deleted; one that yields to the
 * event loop inside a batch (between its statements, or while files are deleted) also returns
 * `busyMs`, its longest stretch without yielding, which then sizes the batches instead of the
 * batch's whole time (waiting on the disk holds nobody up).
 */
export type BatchDelete = (limit: number) => Promise<number | { scanned: number; deleted: number; busyMs?: number }>;

export interface BatchOptions {
  /** The most rows per statement (default 1,000). */
  batchSize?: number;
  /** Rows in the first batch (default 100, at most `batchSize`); fast batches double it. */
  startSize?: number;
  /**
   * A batch slower than this halves the batch size (default 25 ms), down to `minBatchSize`; one under
   * a quarter of it doubles the size, up to `batchSize`.
   */
  maxBatchMs?: number;
  minBatchSize?: number;
  /** Stops between batches when it returns true (the server is closing). */
  stopped?: () => boolean;
  /** What runs between batches (default: one turn of the event loop). */
  pause?: () => Promise<void>;
}

export interface BatchResult {
  deleted: number;
  /** Statements run (transactions). */
  batches: number;
  /** The slowest statement (or, for a job that reports it, its longest stretch without yielding), in ms. */
  slowestMs: number;
  /**
   * The event loop's longest delay while the job ran (createMaintenance measures it): what a request
   * waited at worst, whatever held the loop.
   */
  loopMaxMs?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The longest a slice of a batch's work runs before it yields (createSlicer). */
export const SLICE_MS = 10;

/**
 * Work inside one batch cut into slices: `next()` between items yields to the event loop once the
 * current slice has run `budgetMs`, so a batch of many small steps (statements, files) never holds
 * the loop for the whole batch. `longestMs()` is the longest slice so far: the job's `busyMs`. (An
 * item that awaits the disk counts as busy here: the slice is measured on the wall, so it errs long.)
 */
export function createSlicer(budgetMs = SLICE_MS): { next(): Promise<void>; longestMs(): number; yields(): number } {
  let started = performance.now();
  let longest = 0;
  let yields = 0;
  return {
    async next() {
      const ms = performance.now() - started;
      if (ms < budgetMs) return;
      longest = Math.max(longest, ms);
      yields++;
      await nextTurn();
      started = performance.now();
    },
    longestMs: () => Math.max(longest, performance.now() - started),
    yields: () => yields,
  };
}

/** Runs `deleteBatch` until a batch comes back short (nothing left) or `stopped()`. */
export async function deleteInBatches(deleteBatch: BatchDelete, options: BatchOptions = {}): Promise<BatchResult> {
  const maxBatchMs = options.maxBatchMs ?? 25;
  const pause = options.pause ?? nextTurn;
  const maxSize = options.batchSize ?? 1000;
  const minBatchSize = Math.min(maxSize, options.minBatchSize ?? 50);
  let size = Math.max(minBatchSize, Math.min(maxSize, options.startSize ?? 100));
  const result: BatchResult = { deleted: 0, batches: 0, slowestMs: 0 };
  for (;;) {
    if (options.stopped?.()) return result;
    const started = performance.now();
    const answer = await deleteBatch(size);
    const ms = performance.now() - started;
    const { scanned: n, deleted, busyMs } = typeof answer === 'number' ? { scanned: answer, deleted: answer, busyMs: ms } : { busyMs: ms, ...answer };
    result.deleted += deleted;
    result.batches++;
    result.slowestMs = Math.max(result.slowestMs, busyMs);
    if (n < size) return result;
    if (busyMs > maxBatchMs) size = Math.max(minBatchSize, Math.floor(size / 2));
    else if (busyMs < maxBatchMs / 4) size = Math.min(maxSize, size * 2);
    await pause();
  }
}
