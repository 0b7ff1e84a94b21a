/**
 * Deleting many rows without stalling the service: a maintenance job deletes in short statements
 * (each its own transaction) and yields to the event loop between them, so requests queued behind
 * the database get their turn. A batch slower than `maxBatchMs` halves the batch size; one much
 * faster (under a quarter of it) doubles it again, up to the size it started with.
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
  /** Rows per statement to start with (default 1,000). */
  batchSize?: number;
  /**
   * A batch slower than this halves the batch size (default 50 ms), down to `minBatchSize`; one under
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
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `deleteBatch` until a batch comes back short (nothing left) or `stopped()`. */
export async function deleteInBatches(deleteBatch: BatchDelete, options: BatchOptions = {}): Promise<BatchResult> {
  const maxBatchMs = options.maxBatchMs ?? 50;
  const minBatchSize = options.minBatchSize ?? 50;
  const pause = options.pause ?? nextTurn;
  const maxSize = options.batchSize ?? 1000;
  let size = maxSize;
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
