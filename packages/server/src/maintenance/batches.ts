/**
 * Deleting many rows without stalling the service: a maintenance job deletes in short statements
 * (each its own transaction) and yields to the event loop between them, so requests queued behind
 * the database get their turn. A batch slower than `maxBatchMs` halves the batch size.
 */

/**
 * Deletes up to `limit` rows in one statement; returns how many it deleted. A job that pages through
 * candidates instead (the retention sweep) returns how many rows it looked at (`scanned`, which says
 * whether another batch runs: a short page is the end) and how many it deleted.
 */
export type BatchDelete = (limit: number) => Promise<number | { scanned: number; deleted: number }>;

export interface BatchOptions {
  /** Rows per statement to start with (default 1,000). */
  batchSize?: number;
  /** A batch slower than this halves the batch size (default 50 ms), down to `minBatchSize`. */
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
  /** The slowest statement, in milliseconds. */
  slowestMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `deleteBatch` until a batch comes back short (nothing left) or `stopped()`. */
export async function deleteInBatches(deleteBatch: BatchDelete, options: BatchOptions = {}): Promise<BatchResult> {
  const maxBatchMs = options.maxBatchMs ?? 50;
  const minBatchSize = options.minBatchSize ?? 50;
  const pause = options.pause ?? nextTurn;
  let size = options.batchSize ?? 1000;
  const result: BatchResult = { deleted: 0, batches: 0, slowestMs: 0 };
  for (;;) {
    if (options.stopped?.()) return result;
    const started = performance.now();
    const answer = await deleteBatch(size);
    const ms = performance.now() - started;
    const { scanned: n, deleted } = typeof answer === 'number' ? { scanned: answer, deleted: answer } : answer;
    result.deleted += deleted;
    result.batches++;
    result.slowestMs = Math.max(result.slowestMs, ms);
    if (n < size) return result;
    if (ms > maxBatchMs) size = Math.max(minBatchSize, Math.floor(size / 2));
    await pause();
  }
}
