/**
 * A journal of the blob folders this process writes to, so the crash sweep at start-up looks only
 * where a crash can have left something, not at every blob folder (52 s of start-up at a tenth of
 * CloudPets' size when it listed them all).
 *
 * What a crash can leave in the filesystem store: a temp file of a put it interrupted, and a blob
 * put whose index row was never committed (messages/store.ts `removeOrphanBlobs`). Both sit in the
 * folder (one per family) the put wrote to, and a put is journaled — its folder's name appended
 * to this run's journal file and fdatasynced, concurrent puts sharing one sync — before it writes a
 * byte. At the next start the folders named by earlier runs' journals are swept (temp files removed,
 * unindexed blobs deleted), then those journals are deleted and a new one begins.
 *
 * A folder is journaled once per run, so a run's journal grows with the families it wrote to, not
 * with the blobs stored. The first start with no journal folder (a fresh or upgraded installation)
 * sweeps every folder once, as before. Only stores that can list themselves (`Blobs.sweep`, the
 * filesystem) are journaled; S3's puts are atomic and leave nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Blobs } from '../blobs/index.js';

/** A folder name as a journal line holds it (a blob key's first segment). */
const FOLDER = /^[A-Za-z0-9_-]{1,128}$/;
const SUFFIX = '.journal';

export interface BlobJournal {
  /** The store to write through: each put is journaled first (until `start`, puts wait for it). */
  blobs: Blobs;
  /**
   * Sweeps what earlier runs may have left (`sweep(folders)`, or `sweep(null)`: every folder, the
   * first time) and opens this run's journal. Returns what the sweep returned and what it covered.
   */
  start(sweep: (folders: readonly string[] | null) => Promise<number>): Promise<{ removed: number; folders: number | 'all' }>;
  /** Closes this run's journal file (it stays, for the next start to read). */
  close(): Promise<void>;
}

/** Journals `inner`'s puts in `dir` (created 0700); a store without `sweep` is returned as it is. */
export function createBlobJournal(inner: Blobs, dir: string): BlobJournal {
  if (!inner.sweep)
    return { blobs: inner, start: () => Promise.resolve({ removed: 0, folders: 0 }), close: () => Promise.resolve() };
  let handle: FileHandle | null = null;
  let ready: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  /** Folders journaled this run, each with the sync that made its line durable. */
  const durable = new Map<string, Promise<void>>();
  /** The batch of lines not yet written; null when none waits. */
  let next: { folders: string[]; done: Promise<void> } | null = null;
  let tail: Promise<void> = opened;

  function record(folder: string): Promise<void> {
    const known = durable.get(folder);
    if (known) return known;
    if (!next) {
      const batch: { folders: string[]; done: Promise<void> } = { folders: [], done: Promise.resolve() };
      batch.done = tail.then(async () => {
        // Folders recorded from here on go in the next batch (and the next sync).
        if (next === batch) next = null;
        if (!handle) throw new Error('The blob journal is closed.');
        await handle.appendFile(batch.folders.map((f) => `${f}\n`).join(''));
        await handle.datasync();
      });
      tail = batch.done.catch(() => undefined);
      next = batch;
    }
    next.folders.push(folder);
    const done = next.done;
    durable.set(folder, done);
    // A failed write fails its puts; the folder is journaled again by the next put.
    done.catch(() => durable.delete(folder));
    return done;
  }

  const blobs: Blobs = {
    async put(key, bytes) {
      await record(key.split('/')[0] ?? '');
      await inner.put(key, bytes);
    },
    get: (key) => inner.get(key),
    has: (key) => inner.has(key),
    delete: (key) => inner.delete(key),
  };

  return {
    blobs,
    async start(sweep) {
      const first = !existsSync(dir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const earlier = (await readdir(dir)).filter((name) => name.endsWith(SUFFIX));
      let result: { removed: number; folders: number | 'all' };
      if (first) result = { removed: await sweep(null), folders: 'all' };
      else {
        const folders = new Set<string>();
        for (const name of earlier)
          // A line cut short by the crash is not a folder name (or names one that holds nothing).
          for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (FOLDER.test(line)) folders.add(line);
        result = { removed: folders.size > 0 ? await sweep([...folders]) : 0, folders: folders.size };
      }
      // Swept: the earlier runs' journals have done their work.
      for (const name of earlier) await rm(join(dir, name), { force: true });
      handle = await open(join(dir, `${String(Date.now())}-${randomBytes(4).toString('hex')}${SUFFIX}`), 'a', 0o600);
      // The new file's name durable too, before the first put relies on it.
      const folder = await open(dir, 'r');
      await folder.sync().finally(() => folder.close());
      ready();
      return result;
    },
    async close() {
      await tail;
      await handle?.close();
      handle = null;
    },
  };
}
