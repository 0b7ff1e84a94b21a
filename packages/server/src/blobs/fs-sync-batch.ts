/**
 * Batched durability for the filesystem blob store (group commit for files). Each upload writes its
 * bytes to a temp file on its own; making them durable is what costs, so concurrent uploads share it:
 * a batch fdatasyncs its temp files (concurrently), renames each over its final name, then fsyncs
 * each folder it touched once — rather than one folder fsync per blob.
 *
 * Like the database's group commit (messages/group-commit.ts) there is no timer: a file that finds no
 * batch running starts one at once; files that arrive meanwhile go together in the next batch.
 * `commit` resolves only once the file's bytes and its name are on stable storage.
 */
import { rename, rm } from 'node:fs/promises';
import { closeFd, datasyncFd, fsyncFd, openFd } from './raw-fs.js';

/** A blob written to a temp file in its final folder, still open (`fd`, raw-fs.ts), not yet durable. */
export interface PendingFile {
  fd: number;
  temp: string;
  path: string;
  dir: string;
}

interface Job extends PendingFile {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface SyncBatcher {
  /** Makes `file` durable under its final name; rejects (and removes the temp file) on failure. */
  commit(file: PendingFile): Promise<void>;
  /** Batches run and files they carried, since start. */
  stats(): { batches: number; files: number; largestBatch: number };
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Files per batch at most: bounds the open handles and how long the first of a batch waits. */
export const DEFAULT_MAX_FILES = 64;

export function createSyncBatcher({ maxFiles = DEFAULT_MAX_FILES }: { maxFiles?: number } = {}): SyncBatcher {
  let queue: Job[] = [];
  let draining = false;
  const counts = { batches: 0, files: 0, largestBatch: 0 };

  /** Data durable, then renamed; returns the jobs that got their final name. */
  async function syncAndRename(job: Job): Promise<boolean> {
    try {
      await datasyncFd(job.fd);
      const fd = job.fd;
      job.fd = -1; // closed below, whatever the close answers: never closed twice (the number may be reused)
      await closeFd(fd);
      await rename(job.temp, job.path);
      return true;
    } catch (err) {
      if (job.fd !== -1) await closeFd(job.fd).catch(() => undefined);
      await rm(job.temp, { force: true }).catch(() => undefined);
      job.reject(err);
      return false;
    }
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const renamed = (await Promise.all(batch.map(async (job) => ((await syncAndRename(job)) ? job : null)))).filter(
      (job): job is Job => job !== null,
    );
    // The renames are durable once their folder is: one fsync per folder for the whole batch.
    const dirs = [...new Set(renamed.map((job) => job.dir))];
    const failed = new Map<string, unknown>();
    await Promise.all(
      dirs.map((dir) =>
        fsyncDir(dir).catch((err: unknown) => {
          failed.set(dir, err);
        }),
      ),
    );
    counts.batches += 1;
    counts.files += batch.length;
    counts.largestBatch = Math.max(counts.largestBatch, batch.length);
    for (const job of renamed) {
      if (failed.has(job.dir)) job.reject(failed.get(job.dir));
      else job.resolve();
    }
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, maxFiles);
        queue = queue.slice(batch.length);
        await runBatch(batch);
      }
    } finally {
      draining = false;
    }
  }

  return {
    commit(file) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ ...file, resolve, reject });
        if (!draining) void drain();
      });
    },
    stats: () => ({ ...counts }),
  };
}
