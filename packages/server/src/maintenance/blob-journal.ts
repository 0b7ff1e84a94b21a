/**
 * A journal of the blob folders this process writes to, so the crash sweep at start-up looks only
 * where a crash can have left something, not at every blob folder (52 s of start-up at a tenth of
 * CloudPets' size when it listed them all).
 *
 * What a crash can leave in the filesystem store: a temp file of a put it interrupted, and a blob
 * put whose index row was never committed (messages/store.ts `removeOrphanBlobs`). Both sit in the
 * folder (one per family) the put wrote to, and a put is journaled — its folder's name appended
 * to the current journal file and fdatasynced, concurrent puts sharing one sync — before it writes a
 * byte. At the next start the folders named by every journal file left are swept (temp files
 * removed, unindexed blobs deleted), then those files are deleted and a new one begins.
 *
 * Rotation keeps a long run's journal (and the next start's sweep) to what is still unsettled rather
 * than every family written to since the node started. Every `rotateEveryMs` a new file becomes
 * current; the keys put under the old one are looked up in the blob index (`indexed`); the folders of
 * those without a row yet (a put or its row still in flight, or an upload whose row never came) are
 * written to the new file, fdatasynced, and only then is the old file deleted. So at every moment —
 * a kill between any two steps included — each folder that may hold an orphan is named by a file on
 * disk; a kill mid-rotation leaves both files, and the next start sweeps their union.
 *
 * A folder is journaled once per file. The first start with no journal folder (a fresh or upgraded
 * installation) sweeps every folder once, as before. Only stores that can list themselves
 * (`Blobs.sweep`, the filesystem) are journaled; S3's puts are atomic and leave nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Blobs } from '../blobs/index.js';

/** A folder name as a journal line holds it (a blob key's first segment). */
const FOLDER = /^[A-Za-z0-9_-]{1,128}$/;
const SUFFIX = '.journal';
/** How often a serving node rotates its journal by default. */
export const BLOB_JOURNAL_ROTATE_MS = 10 * 60 * 1000;

/** The steps of a rotation, in order (tests kill the process at each). */
export type RotationStep = 'opened' | 'carried' | 'removed';

export interface BlobJournalOptions {
  /** Which of these keys have their index row (messages/store.ts `indexedBlobKeys`); without it the journal never rotates. */
  readonly indexed?: (keys: readonly string[]) => Promise<ReadonlySet<string>>;
  /** Rotate this often once started (default BLOB_JOURNAL_ROTATE_MS); 0: only when `rotate()` is called. */
  readonly rotateEveryMs?: number;
  /** A scheduled rotation failed (the database away): told here; the old files stay and the next rotation retries them. */
  readonly onRotationFailed?: (err: unknown) => void;
  /** Called after each step of a rotation has reached the disk (a test seam: the crash tests kill the process here). */
  readonly onRotationStep?: (step: RotationStep) => void | Promise<void>;
}

export interface BlobJournal {
  /** The store to write through: each put is journaled first (until `start`, puts wait for it). */
  blobs: Blobs;
  /**
   * Sweeps what earlier runs may have left (`sweep(folders)`, or `sweep(null)`: every folder, the
   * first time) and opens this run's journal. Returns what the sweep returned and what it covered.
   */
  start(sweep: (folders: readonly string[] | null) => Promise<number>): Promise<{ removed: number; folders: number | 'all' }>;
  /**
   * Starts a new journal file and deletes the older ones, carrying over the folders of keys not yet
   * indexed. Returns how many folders were carried and how many were forgotten (settled).
   */
  rotate(): Promise<{ carried: number; forgotten: number }>;
  /** Stops rotating and closes the journal files (they stay, for the next start to read). */
  close(): Promise<void>;
}

/** One journal file and what was written to it. */
interface Generation {
  readonly name: string;
  readonly handle: FileHandle;
  /** Folders whose line is in this file, each with the sync that made it durable. */
  readonly durable: Map<string, Promise<void>>;
  /** Keys put (or carried) while this file was current: looked up when it is rotated away. */
  readonly keys: Set<string>;
  /** The batch of lines not yet written; null when none waits. */
  next: { folders: string[]; done: Promise<void> } | null;
  /** Settles once every line queued so far is written and synced. */
  tail: Promise<void>;
}

const folderOf = (key: string): string => key.split('/')[0] ?? '';

async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  await folder.sync().finally(() => folder.close());
}

/** Journals `inner`'s puts in `dir` (created 0700); a store without `sweep` is returned as it is. */
export function createBlobJournal(inner: Blobs, dir: string, options: BlobJournalOptions = {}): BlobJournal {
  if (!inner.sweep)
    return {
      blobs: inner,
      start: () => Promise.resolve({ removed: 0, folders: 0 }),
      rotate: () => Promise.resolve({ carried: 0, forgotten: 0 }),
      close: () => Promise.resolve(),
    };
  let ready: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  let current: Generation | null = null;
  /** Files no longer current and not yet deleted (a rotation that failed leaves them for the next). */
  const retired: Generation[] = [];
  let rotating: Promise<{ carried: number; forgotten: number }> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  /** A new current file, its name durable in the folder before any put relies on it. */
  async function openGeneration(): Promise<Generation> {
    const name = `${String(Date.now())}-${randomBytes(4).toString('hex')}${SUFFIX}`;
    const handle = await open(join(dir, name), 'a', 0o600);
    await syncFolder(dir);
    return { name, handle, durable: new Map(), keys: new Set(), next: null, tail: Promise.resolve() };
  }

  /** Resolves once `folder`'s line is durable in `gen` (written by this call or an earlier one). */
  function record(gen: Generation, folder: string): Promise<void> {
    const known = gen.durable.get(folder);
    if (known) return known;
    if (!gen.next) {
      const batch: { folders: string[]; done: Promise<void> } = { folders: [], done: Promise.resolve() };
      batch.done = gen.tail.then(async () => {
        // Folders recorded from here on go in the next batch (and the next sync).
        if (gen.next === batch) gen.next = null;
        await gen.handle.appendFile(batch.folders.map((f) => `${f}\n`).join(''));
        await gen.handle.datasync();
      });
      gen.tail = batch.done.catch(() => undefined);
      gen.next = batch;
    }
    gen.next.folders.push(folder);
    const done = gen.next.done;
    gen.durable.set(folder, done);
    // A failed write fails its puts; the folder is journaled again by the next put.
    done.catch(() => gen.durable.delete(folder));
    return done;
  }

  const blobs: Blobs = {
    async put(key, bytes) {
      await opened;
      if (!current) throw new Error('The blob journal is closed.');
      // Taken and queued without an await between: a rotation that begins later sees this key and
      // this line in the file it retires.
      const gen = current;
      gen.keys.add(key);
      await record(gen, folderOf(key));
      await inner.put(key, bytes);
    },
    get: (key) => inner.get(key),
    has: (key) => inner.has(key),
    delete: (key) => inner.delete(key),
  };

  const step = async (name: RotationStep): Promise<void> => {
    await options.onRotationStep?.(name);
  };

  async function rotateNow(indexed: NonNullable<BlobJournalOptions['indexed']>): Promise<{ carried: number; forgotten: number }> {
    if (!current) return { carried: 0, forgotten: 0 };
    // 1. A new current file: puts from here on are journaled in it.
    retired.push(current);
    current = await openGeneration();
    await step('opened');
    // 2. What the retired files' keys still need: those without an index row keep their folder.
    const waiting = new Set<string>();
    const folders = new Set<string>();
    for (const gen of retired) {
      await gen.tail;
      for (const folder of gen.durable.keys()) folders.add(folder);
      const keys = [...gen.keys];
      const have = keys.length > 0 ? await indexed(keys) : new Set<string>();
      for (const key of keys) if (!have.has(key)) waiting.add(key);
    }
    const target = current;
    const carriedFolders = new Set([...waiting].map(folderOf));
    for (const key of waiting) target.keys.add(key);
    await Promise.all([...carriedFolders].map((folder) => record(target, folder)));
    await step('carried');
    // 3. Their folders are durable in the current file: the retired files have done their work.
    for (const gen of retired.splice(0)) {
      await gen.handle.close();
      await rm(join(dir, gen.name), { force: true });
    }
    await step('removed');
    return { carried: carriedFolders.size, forgotten: [...folders].filter((f) => !carriedFolders.has(f)).length };
  }

  function rotate(): Promise<{ carried: number; forgotten: number }> {
    const indexed = options.indexed;
    if (!indexed || closed) return Promise.resolve({ carried: 0, forgotten: 0 });
    // One at a time: a rotation asked for during another waits for it and then runs.
    const run = (rotating ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => (closed ? { carried: 0, forgotten: 0 } : rotateNow(indexed)));
    rotating = run;
    void run
      .catch(() => undefined)
      .finally(() => {
        if (rotating === run) rotating = null;
      });
    return run;
  }

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
      current = await openGeneration();
      ready();
      const every = options.rotateEveryMs ?? BLOB_JOURNAL_ROTATE_MS;
      if (options.indexed && every > 0 && !closed) {
        timer = setInterval(() => {
          rotate().catch((err: unknown) => options.onRotationFailed?.(err));
        }, every);
        timer.unref();
      }
      return result;
    },
    rotate,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await rotating?.catch(() => undefined);
      const gens = [...retired.splice(0), ...(current ? [current] : [])];
      current = null;
      for (const gen of gens) {
        await gen.tail;
        await gen.handle.close();
      }
    },
  };
}
