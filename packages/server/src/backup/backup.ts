/**
 * `burrow backup`: a consistent snapshot of the database and every blob it references, encrypted to
 * the operator's age recipient, with a manifest of SHA-256 hashes (format.ts describes the folder).
 * The folder is written under a temporary name and renamed when complete, so a half-written backup
 * never looks like a backup. Everything streams (streams.ts): memory stays flat whatever the size.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Blobs } from '../blobs/index.js';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { ContentsWriter } from './contents.js';
import { snapshotDatabase } from './database.js';
import { BackupError, FORMAT, PACK_BYTES, packName, sha256, type FileEntry, type OuterManifest } from './format.js';
import { silentProgress, type Progress, type ProgressFactory } from './progress.js';
import { countingMiB, encryptToFile, MiB, type Measured } from './streams.js';

/** Blob reads in flight at once (each holds one blob in memory until its turn). */
export const READ_AHEAD = 16;
/**
 * What the blobs in flight may hold together, in backup and in restore: voice messages (about 48 KiB)
 * get all READ_AHEAD, the largest blobs (2 MiB) two. 16 blobs of 1 MiB pushed the backup's peak RSS
 * 16 MB over the streaming test's limit.
 */
export const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** How many blobs of up to `largest` bytes fit in IN_FLIGHT_BYTES: at least one, at most READ_AHEAD. */
export function blobsInFlight(largest: number): number {
  return Math.max(1, Math.min(READ_AHEAD, Math.floor(IN_FLIGHT_BYTES / Math.max(1, largest))));
}

export interface BackupOptions {
  database: DatabaseConfig;
  db: Db;
  blobs: Blobs;
  /** The operator's age X25519 recipient (`age1…`). */
  recipient: string;
  /** The folder that receives `burrow-backup-<time>/`. */
  outDir: string;
  now?: Date;
  progress?: ProgressFactory;
}

export interface BackupSummary {
  path: string;
  blobs: number;
  blobBytes: number;
  databaseBytes: number;
  /** Total bytes written (all encrypted files and the manifest). */
  backupBytes: number;
  missingBlobs: number;
  ms: number;
}

export async function createBackup(options: BackupOptions): Promise<BackupSummary> {
  const started = Date.now();
  if (!/^age1[02-9ac-hj-np-z]{58}$/.test(options.recipient))
    throw new BackupError('The recipient must be an age X25519 public key (age1…, 62 characters): see `burrow backup keygen`.');
  const progress = options.progress ?? silentProgress;
  const createdAt = (options.now ?? new Date()).toISOString();
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const name = `burrow-backup-${createdAt.replace(/[:.]/g, '-')}`;
  const work = mkdtempSync(join(options.outDir, `.partial-${name}-`));
  try {
    const files: FileEntry[] = [];
    const write = async (file: string, source: Readable): Promise<Measured> => {
      const { plain, sealed } = await encryptToFile(options.recipient, source, join(work, file));
      files.push({ name: file, size: sealed.size, sha256: sealed.sha256 });
      return plain;
    };

    const snapshot = await snapshotDatabase(options.database, options.db, work);
    let database: Measured;
    let blobs: PackedBlobs;
    try {
      const dbStep = progress('database (MiB)', Math.ceil(snapshot.estimatedBytes / MiB));
      const counted = countingMiB(dbStep);
      snapshot.stream.on('error', (e) => counted.destroy(e));
      snapshot.stream.pipe(counted);
      database = await write('database.age', counted);
      await snapshot.finished;
      dbStep.done();

      // contents.age is encrypted alongside the packs: each blob's entry goes in as its pack takes
      // it (contents.ts), so no list of entries is held, whatever the number of blobs.
      const input = new PassThrough();
      const sealed = write('contents.age', input);
      sealed.catch(() => undefined); // awaited below, unless the packs failed first
      const contents = new ContentsWriter(input, sealed, { file: 'database.age', size: database.size, sha256: database.sha256 });
      try {
        const blobStep = progress('blobs', await snapshot.blobCount());
        blobs = await writePacks(snapshot.blobKeys(), options.blobs, contents, blobStep, write);
        await contents.end();
      } catch (err) {
        input.destroy(err instanceof Error ? err : new Error(String(err))); // ends the encryption, which then fails
        throw err;
      } finally {
        await sealed.catch(() => undefined);
      }
      await sealed;
    } finally {
      snapshot.close();
    }

    const outer: OuterManifest = {
      format: FORMAT,
      createdAt,
      dialect: options.database.kind,
      recipient: options.recipient,
      files,
      counts: { blobs: blobs.blobs, blobBytes: blobs.blobBytes, databaseBytes: database.size },
    };
    const manifest = `${JSON.stringify(outer, null, 2)}\n`;
    writeFileSync(join(work, 'manifest.json'), manifest, { mode: 0o600 });
    const path = join(options.outDir, name);
    renameSync(work, path);
    return {
      path,
      blobs: blobs.blobs,
      blobBytes: blobs.blobBytes,
      databaseBytes: database.size,
      backupBytes: files.reduce((n, f) => n + f.size, 0) + Buffer.byteLength(manifest),
      missingBlobs: blobs.missing,
      ms: Date.now() - started,
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/** What the packs took: blobs and their bytes, and how many keys' blobs the store no longer had. */
interface PackedBlobs {
  blobs: number;
  blobBytes: number;
  missing: number;
}

/**
 * Reads every blob of `keys` through the store and writes them into packs (`writePack` encrypts one
 * pack's stream into its file), each blob's entry into `contents` as its pack takes it.
 */
async function writePacks(
  keys: AsyncGenerator<string[]>,
  store: Blobs,
  contents: ContentsWriter,
  step: Progress,
  writePack: (name: string, source: Readable) => Promise<Measured>,
): Promise<PackedBlobs> {
  const packed: PackedBlobs = { blobs: 0, blobBytes: 0, missing: 0 };
  // Reads run up to READ_AHEAD at a time, taken in key order: one at a time, each read's round trips
  // (open, stat, read, close on the filesystem; a GET on S3) were most of the backup's time. Sizes
  // are known only once read, so the first read runs alone and the largest blob so far sets how many
  // fit in IN_FLIGHT_BYTES. Keys come a page at a time (database.ts), never as one list.
  let page: string[] = [];
  let inPage = 0;
  let pagesLeft = true;
  let largest = 0;
  const reading: { key: string; bytes: Promise<Uint8Array | undefined> }[] = [];
  const readAhead = async (): Promise<void> => {
    while (reading.length < (largest === 0 ? 1 : blobsInFlight(largest))) {
      if (inPage === page.length) {
        // Awaited once a page, not once a key (through two generators: hops that add up at 2.2 M keys).
        const next = pagesLeft ? await keys.next() : null;
        if (!next || next.done === true) {
          pagesLeft = false;
          return;
        }
        [page, inPage] = [next.value, 0];
      }
      const key = page[inPage++] as string;
      const bytes = store.get(key);
      bytes.catch(() => undefined); // awaited in turn below; a failure meanwhile is not unhandled
      reading.push({ key, bytes });
    }
  };
  const fetchNext = async (): Promise<{ key: string; bytes: Uint8Array } | null> => {
    await readAhead();
    for (let read = reading.shift(); read; read = reading.shift()) {
      const bytes = await read.bytes;
      if (bytes) largest = Math.max(largest, bytes.length);
      await readAhead();
      step.tick();
      if (bytes) return { key: read.key, bytes };
      packed.missing++;
      await contents.missingBlob(read.key);
    }
    return null;
  };
  try {
    // Packs are streamed blob by blob; a pack closes before the blob that would take it past PACK_BYTES.
    let carry = await fetchNext();
    for (let packs = 1; carry; packs++) {
      const pack = packName(packs);
      let offset = 0;
      const first = carry;
      carry = null;
      const packBytes = async function* (): AsyncGenerator<Uint8Array> {
        for (let blob: typeof carry = first; blob; blob = await fetchNext()) {
          if (offset > 0 && offset + blob.bytes.length > PACK_BYTES) {
            carry = blob;
            return;
          }
          await contents.blob({ key: blob.key, size: blob.bytes.length, sha256: sha256(blob.bytes), pack, offset });
          offset += blob.bytes.length;
          packed.blobs++;
          packed.blobBytes += blob.bytes.length;
          yield blob.bytes;
        }
      };
      await writePack(pack, Readable.from(packBytes()));
    }
  } finally {
    await keys.return(undefined); // a failure half-way still closes the snapshot copy's reader
  }
  step.done();
  return packed;
}
