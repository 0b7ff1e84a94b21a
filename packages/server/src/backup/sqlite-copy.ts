/**
 * The SQLite snapshot's copy (`VACUUM INTO`), off the event loop.
 *
 * Why: libsql is synchronous, so `VACUUM INTO` on the serving connection held the event loop for the
 * whole copy — about a minute at 2 GB — and a scheduled backup (schedule.ts) stopped every request
 * for that long. libsql 0.5 has no online backup API to step through in pages (its `backup()` throws
 * "not implemented"), so the copy runs in a worker thread with a connection of its own: a read
 * transaction in WAL mode, so the serving connection keeps reading and committing meanwhile, and the
 * copy is the database as of the moment it began. The worker also counts the copy's blob rows (the
 * backup's progress total), a full scan of an index that would hold the loop too at 2 M blobs.
 *
 * The worker is JavaScript given as text (`eval`), as db/checkpointer.ts's: the server runs from
 * TypeScript sources under tsx, from compiled tests and from one esbuild bundle, and a text needs no
 * file of its own in any of them.
 *
 * Its start and end are published on the `burrow:backup:snapshot-copy` diagnostics channel
 * (`{ phase: 'start' | 'end' }`; pg_dump's too), so a test or an operator's tool can see what runs
 * during a copy.
 */
import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { BackupError } from './format.js';

/** The diagnostics channel a snapshot copy's start and end are published on (SQLite's VACUUM INTO, pg_dump). */
export const SNAPSHOT_COPY_CHANNEL = 'burrow:backup:snapshot-copy';
const copies = channel(SNAPSHOT_COPY_CHANNEL);

/** Publishes a snapshot copy's start or end (database.ts does for pg_dump, this file for SQLite). */
export function publishCopy(phase: 'start' | 'end'): void {
  if (copies.hasSubscribers) copies.publish({ phase });
}

export interface SqliteCopy {
  /** Blob rows in the copy. */
  blobs: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
let source = null;
let copy = null;
try {
  // Read-only: this connection never writes the live database. A busy timeout in case the serving
  // connection is in the middle of a checkpoint's WAL reset when the read transaction starts.
  source = new Database(workerData.source, { readonly: true });
  source.pragma('busy_timeout = 5000');
  parentPort.postMessage({ started: true });
  // The file name as a bound value: VACUUM INTO takes any expression that yields text.
  source.prepare('VACUUM INTO ?').run(workerData.target);
  source.close();
  source = null;
  copy = new Database(workerData.target, { readonly: true });
  const blobs = copy.prepare('select count(*) as n from blobs').get().n;
  copy.close();
  copy = null;
  parentPort.postMessage({ blobs: Number(blobs) });
} catch (err) {
  try { if (source) source.close(); } catch {}
  try { if (copy) copy.close(); } catch {}
  parentPort.postMessage({ error: String(err && err.message) });
}
`;

/**
 * Writes a transactionally consistent copy of the SQLite database at `source` into `target` (a file
 * that must not exist yet) from a worker thread; resolves with the copy's blob count.
 */
export function copySqliteOffThread(source: string, target: string): Promise<SqliteCopy> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the parent's flags: under tsx they would load its loader into a thread that needs none.
      execArgv: [],
      workerData: { source, target, libsql: createRequire(import.meta.url).resolve('libsql') },
    });
    let settled = false;
    let started = false;
    const end = (): void => {
      if (started) publishCopy('end');
      started = false;
    };
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      end();
      fn();
    };
    worker.on('message', (m: { started?: true; blobs?: number; error?: string }) => {
      if (m.started) {
        started = true;
        publishCopy('start');
      } else if (m.error !== undefined) settle(() => reject(new BackupError(`copying the SQLite database failed: ${m.error ?? ''}`)));
      else settle(() => resolve({ blobs: m.blobs ?? 0 }));
    });
    worker.on('error', (err) => settle(() => reject(new BackupError(`copying the SQLite database failed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(new BackupError(`copying the SQLite database failed: its worker exited (${String(code)})`))));
  });
}
