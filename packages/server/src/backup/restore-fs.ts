/**
 * Where `burrow restore` writes blobs on the filesystem store: the fs store's own layout
 * (`<dataDir>/blobs/<familyId>/<hash>`, folders 0700, files 0600, as blobs/fs-blobs.ts lays them out),
 * but without a sync per blob; everything written is made durable at once at the end (`settle`: one
 * `syncfs` of each filesystem involved), before restore reports success.
 *
 * Why not the store's own put: its per-blob durability (fdatasync the temp file, rename, fsync the
 * folder) is what a live upload needs, and it was most of a restore's time — 1.5–2.0 ms a blob against
 * 0.2–0.4 ms without the syncs (1 KiB blobs, 16 in flight, load 21; docs/performance.md), i.e. hours at
 * CloudPets' 2.2 M blobs. A restore gains nothing from it: it fills an empty installation, and one
 * that stops part-way (a crash, a power cut) is incomplete whatever was synced — its database names
 * blobs it never wrote — so it is run again into an empty folder (docs/operations.md). Each file is
 * still written under a temporary name and renamed, so no half-written file sits under a blob's name
 * while the restore runs, and every blob is read back and compared before it counts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { assertBlobKey } from '../blobs/blobs.js';
import { openBlobs } from '../blobs/open-blobs.js';
import type { Blobs } from '../blobs/index.js';
import type { CoreConfig as Config } from '../config.js';

/** What restore writes blobs through: a store's put and get, and what makes the writes durable. */
export interface RestoreBlobs extends Pick<Blobs, 'put' | 'get'> {
  /** Makes everything put so far durable (absent: each put already was). */
  settle?(): Promise<void>;
}

const run = promisify(execFile);

/**
 * Flushes the filesystems holding `paths` (Linux `syncfs(2)` through coreutils' `sync -f`; elsewhere
 * a plain `sync`, which flushes every filesystem).
 */
export async function syncFileSystems(paths: readonly string[]): Promise<void> {
  if (process.platform === 'linux') await run('sync', ['-f', ...new Set(paths)]);
  else await run('sync', []);
}

/** The fs store's layout, written without a sync per file; `settle` flushes them all. */
export function createRestoreFsBlobs(root: string): RestoreBlobs {
  const pathOf = (key: string): string => {
    assertBlobKey(key);
    return join(root, ...key.split('/'));
  };
  const made = new Set<string>();
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      const dir = dirname(path);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        made.add(dir);
      }
      const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`); // the store's sweep removes leftovers
      try {
        await writeFile(temp, bytes, { mode: 0o600, flag: 'wx' });
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async get(key) {
      // A view of readFile's own buffer: copying it doubled each read-back's garbage, and a restore
      // reads back every blob it writes.
      const read = await readFile(pathOf(key));
      return new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
    },
    async settle() {
      await mkdir(root, { recursive: true, mode: 0o700 });
      await syncFileSystems([root]);
    },
  };
}

/** The blob target `burrow restore` uses: the writer above for the fs store, the store itself for S3 (its puts are durable). */
export function openRestoreBlobs(config: Pick<Config, 'dataDir' | 'blobStore'>): RestoreBlobs {
  return config.blobStore.kind === 'fs' ? createRestoreFsBlobs(join(config.dataDir, 'blobs')) : openBlobs(config);
}
