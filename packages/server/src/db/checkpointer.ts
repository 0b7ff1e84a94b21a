/**
 * WAL checkpoints off the event loop, for the serving SQLite connection (SQLite only: PostgreSQL
 * checkpoints in its own processes).
 *
 * Why: SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past 1,000 pages, on
 * the connection that commits — here the server's only connection, which libsql drives synchronously
 * on the event loop. That commit then copies the WAL into the database file and fsyncs it, and every
 * request waits: the retention benchmark's remaining delivery tail (one 408 ms stretch at 100k
 * messages, docs/performance.md) was such a checkpoint.
 *
 * So the serving connection runs with `wal_autocheckpoint = 0`, and a worker thread with its own
 * connection to the same file checkpoints instead:
 * - PASSIVE when the WAL changed and either grew past `thresholdBytes` or `periodMs` passed since the
 *   last checkpoint. PASSIVE never takes the writer's lock: commits on the serving connection go on
 *   while it copies and fsyncs, and once it has copied every frame the next commit rewinds the WAL to
 *   its start, so the file stops growing.
 * - TRUNCATE only after the WAL has not changed for `idleMs`: it takes the writer's lock (a commit
 *   meanwhile would wait in the busy handler, on the event loop), so it runs when nobody writes, and
 *   after a PASSIVE has copied everything it has little left to do but shorten the file to 0 bytes.
 *   Its connection has `busy_timeout = 0`: if a writer or an old reader is there, it gives up at once
 *   and tries again at the next idle moment.
 * - After an erasure (`erase`), the same without waiting for idleness: PASSIVE twice, then a TRUNCATE
 *   with `busy_timeout = 0` retried every few ms for up to 2 s. It never waits while it holds the
 *   writer's lock, so a request's write waits at most for the little the TRUNCATE has left to copy.
 * If the worker fails, the serving connection gets its automatic checkpoints back (the WAL must not
 * grow without bound) and `onError` hears why.
 *
 * The worker is plain JavaScript given as text (`eval`): the server runs from TypeScript sources
 * under tsx, from tests compiled to JavaScript, and from one esbuild bundle in production, and a text
 * needs no file of its own in any of them. It only runs the pragma it is told; the policy is here.
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** How often the WAL file is looked at (an async stat). */
  tickMs: number;
  /** A changed WAL at least this large is checkpointed at the next tick. */
  thresholdBytes: number;
  /** A changed WAL is checkpointed at least this often, whatever its size. */
  periodMs: number;
  /** No change for this long counts as idle: the WAL is truncated to 0 bytes. */
  idleMs: number;
}

/**
 * The defaults: 4 MiB is SQLite's own automatic threshold (1,000 pages of 4 KiB); a changed WAL is
 * copied back within about 5 s, so a crash's recovery replays little; idle after 10 s without writes.
 */
export const DEFAULT_CHECKPOINTER: CheckpointerOptions = Object.freeze({ tickMs: 500, thresholdBytes: 4 * 1024 * 1024, periodMs: 5_000, idleMs: 10_000 });

/** PASSIVE and TRUNCATE as SQLite has them; ERASE is PASSIVE twice, then a TRUNCATE tried again for a while if a writer or an old reader is in the way (`erase`). */
export type CheckpointMode = 'PASSIVE' | 'TRUNCATE' | 'ERASE';

/**
 * How long an erasure's TRUNCATE is retried for while a transaction in progress or an old reader is
 * in the way (in the worker, not on the event loop), and the sleep between tries (the writer's lock
 * is not held meanwhile).
 */
const ERASE_WAIT_MS = 2_000;
const ERASE_RETRY_MS = 10;

/** One checkpoint's outcome, as `pragma wal_checkpoint` reports it. */
export interface CheckpointResult {
  mode: CheckpointMode;
  /** 1 when it could not finish (a writer or a reader of an older snapshot was in the way). */
  busy: number;
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Checkpoints done so far (busy ones included), by mode. */
  readonly counts: Readonly<Record<CheckpointMode, number>>;
  /**
   * After an erasure: copies the WAL into the file and truncates it to 0 bytes, so deleted rows' old
   * frames leave the disk (db/erase.ts), off the event loop. False if a writer or an old reader kept
   * it from finishing; the next idle TRUNCATE does.
   */
  erase(): Promise<boolean>;
  /** Resolves with the first checkpoint that starts after this call and finishes (for tests and benchmarks; it triggers nothing). */
  next(mode?: CheckpointMode): Promise<CheckpointResult>;
  /**
   * Closes the worker's connection and waits for it (synchronously, at most a few seconds): called
   * just before the serving connection closes, so no checkpoint runs on a closing database and the
   * serving connection is the last one (SQLite folds the WAL into the file when the last one goes).
   */
  stop(): void;
}

/** The SQLite connection's 1,000-page automatic checkpoint, which the serving connection gets back if the worker fails. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The `onError` a server gives: one line at error level with the failure's message only — no stack,
 * no worker data, no connection object — so a log never carries more than "what failed".
 */
export function logCheckpointFailure(log: { error(fields: object, message: string): void }): (err: Error) => void {
  return (err) => {
    log.error({ err: err.message.split('\n')[0] }, 'database: the checkpoint worker failed; SQLite checkpoints in commits again');
  };
}

/** The serving connection, as far as the checkpointer touches it. */
interface Pragmas {
  pragma(source: string): unknown;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const state = new Int32Array(workerData.state);
let db = null;
try {
  db = new Database(workerData.path);
  db.pragma('busy_timeout = 0');
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message) });
}
const checkpoint = (mode) => db.pragma('wal_checkpoint(' + mode + ')')[0];
parentPort.on('message', (message) => {
  if (message.stop) {
    try { if (db) db.close(); } catch {}
    db = null;
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
    parentPort.close();
    return;
  }
  try {
    let row;
    if (message.mode === 'ERASE') {
      // Everything copied first without the writer's lock (twice: the second catches what was
      // committed during the first), so the TRUNCATE has almost nothing left to copy. The TRUNCATE
      // then never waits while it holds the writer's lock: with busy_timeout 0 it gives up at once
      // if a writer or an old reader is there, and is tried again after a short sleep (here, in the
      // worker) until eraseWaitMs. A TRUNCATE that waited in SQLite's busy handler held the lock the
      // whole time, and the serving connection's next write waited behind it on the event loop:
      // 1.9 s at 200k messages, the 5.5 s stall of the 2 M retention run.
      checkpoint('PASSIVE');
      checkpoint('PASSIVE');
      const until = Date.now() + workerData.eraseWaitMs;
      for (;;) {
        row = checkpoint('TRUNCATE');
        if (row.busy === 0 || Date.now() >= until) break;
        Atomics.wait(state, 1, 0, workerData.eraseRetryMs);
      }
    } else {
      row = checkpoint(message.mode);
      // Everything copied: rewind the WAL now (RESTART, busy_timeout 0: it gives up at once if a
      // writer or reader is there). Under steady writes a PASSIVE rarely ends exactly at the last
      // frame, the writer then never rewinds, and the file grew by gigabytes in one retention pass,
      // which the erasure's TRUNCATE later cut with the writer's lock held (1.25 s at 2 GB).
      // But "everything" is what the WAL held when the PASSIVE began: the frames committed while it
      // copied (tens of ms) are left for the RESTART, which copies them and fsyncs the database
      // holding the writer's lock, and the serving connection's next BEGIN IMMEDIATE waited for it
      // in SQLite's busy handler, on the event loop: 34-237 ms in the retention sweep
      // (docs/performance.md, "The retention sweep's longest page"). So PASSIVE again until one
      // finds nothing committed since the previous one began: that one copies nothing, and the
      // RESTART right after it has (almost) nothing left to copy. Commits that never pause leave
      // the WAL to the next tick.
      if (message.mode === 'PASSIVE') {
        for (let i = 0; i < 8 && row.log > 0 && row.log === row.checkpointed; i++) {
          const again = checkpoint('PASSIVE');
          if (again.log === row.log) {
            checkpoint('RESTART');
            break;
          }
          row = again;
        }
      }
    }
    parentPort.postMessage({ id: message.id, busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: String(err && err.message) });
  }
});
`;
/** What the tick decides, from what it saw (pure, so the policy can be read and tested alone). */
export function decide(
  seen: { changedSinceCheckpoint: boolean; changedSinceTruncate: boolean; size: number; msSinceCheckpoint: number; msSinceChange: number },
  options: CheckpointerOptions,
): CheckpointMode | null {
  if (seen.changedSinceCheckpoint && (seen.size >= options.thresholdBytes || seen.msSinceCheckpoint >= options.periodMs)) return 'PASSIVE';
  if (seen.changedSinceTruncate && seen.size > 0 && seen.msSinceChange >= options.idleMs) return 'TRUNCATE';
  return null;
}

/**
 * Turns off the serving connection's automatic checkpoints and starts the worker for the database
 * at `path`. The worker and the timer do not keep the process alive.
 */
export function startCheckpointer(path: string, serving: Pragmas, options: CheckpointerOptions = DEFAULT_CHECKPOINTER, onError: (err: Error) => void = () => undefined): Checkpointer {
  const walPath = `${path}-wal`;
  // [0]: the worker has stopped; [1]: never set, only slept on between an erasure's tries.
  const state = new Int32Array(new SharedArrayBuffer(8));
  serving.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the parent's flags: under tsx they would load its loader into a thread that needs none.
    execArgv: [],
    workerData: { path, libsql: createRequire(import.meta.url).resolve('libsql'), state: state.buffer, eraseWaitMs: ERASE_WAIT_MS, eraseRetryMs: ERASE_RETRY_MS },
  });
  worker.unref();

  const counts: Record<CheckpointMode, number> = { PASSIVE: 0, TRUNCATE: 0, ERASE: 0 };
  /** Requests in order; the first is with the worker. */
  const queue: { id: number; mode: CheckpointMode; resolve: (r: CheckpointResult) => void; reject: (err: Error) => void }[] = [];
  const watchers: { mode: CheckpointMode | undefined; after: number; resolve: (r: CheckpointResult) => void; reject: (err: Error) => void }[] = [];
  let serial = 0;
  let failed = false;
  let stopped = false;
  let last = { mtimeMs: -1, size: -1 };
  const now = (): number => performance.now();
  let lastCheckpointAt = now();
  let lastChangeAt = now();
  let changedSinceCheckpoint = false;
  let changedSinceTruncate = false;

  const abandon = (why: Error): void => {
    for (const w of [...queue.splice(0), ...watchers.splice(0)]) w.reject(why);
  };
  const fail = (err: Error): void => {
    if (failed || stopped) return;
    failed = true;
    clearInterval(timer);
    abandon(err);
    // Back to SQLite's own checkpoints: slower tails, but a bounded WAL.
    try {
      serving.pragma(`wal_autocheckpoint = ${String(FALLBACK_AUTOCHECKPOINT_PAGES)}`);
    } catch {
      // The serving connection is closed already: nothing grows any more.
    }
    // A worker that failed a checkpoint may still hold its connection: it goes, so the serving
    // connection stays the last one and SQLite folds the WAL into the file when it closes.
    void worker.terminate();
    onError(err);
  };

  const run = (mode: CheckpointMode): Promise<CheckpointResult> =>
    failed || stopped
      ? Promise.reject(new Error('the checkpointer is not running'))
      : new Promise((resolve, reject) => {
          const id = ++serial;
          queue.push({ id, mode, resolve, reject });
          if (queue.length === 1) worker.postMessage({ id, mode });
          // Whatever the worker does counts as a checkpoint from now: what changed so far is copied.
          changedSinceCheckpoint = false;
          lastCheckpointAt = now();
        });

  worker.on('message', (message: Partial<CheckpointResult> & { id?: number; error?: string }) => {
    if (message.error !== undefined) {
      fail(new Error(`checkpoint worker: ${message.error}`));
      return;
    }
    const done = queue.shift();
    if (!done || done.id !== message.id) return;
    const next = queue[0];
    if (next) worker.postMessage({ id: next.id, mode: next.mode });
    const result = { mode: done.mode, busy: message.busy ?? 1, log: message.log ?? 0, checkpointed: message.checkpointed ?? 0 };
    counts[done.mode]++;
    if (done.mode !== 'PASSIVE' && result.busy === 0) changedSinceTruncate = false;
    done.resolve(result);
    for (let i = watchers.length - 1; i >= 0; i--) {
      const w = watchers[i]!;
      if (done.id > w.after && (w.mode === undefined || w.mode === done.mode)) {
        watchers.splice(i, 1);
        w.resolve(result);
      }
    }
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', () => fail(new Error('checkpoint worker exited')));

  const tick = async (): Promise<void> => {
    if (queue.length > 0 || failed || stopped) return;
    const s = await stat(walPath).catch(() => null);
    if (!s || queue.length > 0 || failed || stopped) return;
    const t = now();
    if (s.mtimeMs !== last.mtimeMs || s.size !== last.size) {
      // A truncation changes the file too; that is not a write to copy back.
      if (!(s.size === 0 && !changedSinceTruncate)) {
        changedSinceCheckpoint = true;
        changedSinceTruncate = true;
        lastChangeAt = t;
      }
      last = { mtimeMs: s.mtimeMs, size: s.size };
    }
    const mode = decide(
      { changedSinceCheckpoint, changedSinceTruncate, size: s.size, msSinceCheckpoint: t - lastCheckpointAt, msSinceChange: t - lastChangeAt },
      options,
    );
    // A failure here has reached `fail` already.
    if (mode) await run(mode).catch(() => undefined);
  };
  const timer = setInterval(() => void tick(), options.tickMs);
  timer.unref();

  return {
    counts,
    erase: async () => (await run('ERASE')).busy === 0,
    next(mode?: CheckpointMode): Promise<CheckpointResult> {
      if (failed || stopped) return Promise.reject(new Error('the checkpointer is not running'));
      return new Promise((resolve, reject) => watchers.push({ mode, after: serial, resolve, reject }));
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      abandon(new Error('the checkpointer stopped'));
      if (failed) return;
      worker.postMessage({ stop: true });
      // Synchronous on purpose: the caller is about to close the serving connection, which must be
      // the last one open. A checkpoint under way finishes first; 10 s is far beyond one here.
      Atomics.wait(state, 0, 0, 10_000);
    },
  };
}
