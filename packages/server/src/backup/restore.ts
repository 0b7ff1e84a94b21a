/**
 * `burrow restore`: into an empty installation only (never over data), verifying every hash on the
 * way in and reading every blob back after writing it. Then migrations run, so a backup taken by an
 * older Burrow comes up to the current schema.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../blobs/s3-blobs.js';
import type { CoreConfig as Config } from '../config.js';
import { migrate, openDb } from '../db/index.js';
import { IN_FLIGHT_BYTES } from './backup.js';
import { assertDatabaseEmpty, restoreDatabase } from './database.js';
import { BackupError, sha256 } from './format.js';
import { silentProgress, type ProgressFactory } from './progress.js';
import { syncFileSystems, type RestoreBlobs } from './restore-fs.js';
import { openBackup, readBlobs, readDatabase } from './verify.js';

/** Blob writes in flight at once during a restore. */
export const WRITES_IN_FLIGHT = 16;

export interface RestoreSummary {
  blobs: number;
  blobBytes: number;
  databaseBytes: number;
  ms: number;
}

async function assertBlobsEmpty(config: Config): Promise<void> {
  const store = config.blobStore;
  if (store.kind === 'fs') {
    const dir = join(config.dataDir, 'blobs');
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new BackupError(`${dir} is not empty. Restore only into an empty installation: move it aside first.`);
    return;
  }
  const client = createS3Client(store);
  try {
    const listing = await client.send(new ListObjectsV2Command({ Bucket: store.bucket, MaxKeys: 1 }));
    if ((listing.KeyCount ?? 0) > 0)
      throw new BackupError(`Bucket ${store.bucket} is not empty. Restore into a new, empty, private bucket.`);
  } finally {
    client.destroy();
  }
}

export async function restoreBackup(options: {
  dir: string;
  identity: string;
  config: Config;
  /** Where blobs go: a store (`Blobs`), or `openRestoreBlobs(config)` (restore-fs.ts), which syncs once at the end. */
  blobs: RestoreBlobs;
  progress?: ProgressFactory;
}): Promise<RestoreSummary> {
  const started = Date.now();
  const progress = options.progress ?? silentProgress;
  const { config } = options;
  const backup = await openBackup(options.dir, options.identity, progress);
  if (backup.manifest.dialect !== config.database.kind)
    throw new BackupError(
      `This backup holds a ${backup.manifest.dialect} database; the target is ${config.database.kind}. Point BURROW_DATABASE_URL at the same kind of database.`,
    );
  await assertDatabaseEmpty(config.database);
  await assertBlobsEmpty(config);

  await restoreDatabase(config.database, await readDatabase(backup, progress));

  const step = progress('blobs', backup.manifest.counts.blobs);
  let blobs = 0;
  let blobBytes = 0;
  // WRITES_IN_FLIGHT blobs are written (and read back) at once: one at a time, each put waited for
  // its own fsyncs (7.7 ms a blob: 4.7 h at CloudPets' size); concurrent puts share them (the fs
  // store's sync batches) or overlap their round trips (S3). Memory: that many blobs, and no more
  // than IN_FLIGHT_BYTES together (one blob alone may pass it).
  const writing = new Set<Promise<void>>();
  let writingBytes = 0;
  const failure: { error: Error | null } = { error: null };
  const write = async (key: string, bytes: Uint8Array): Promise<void> => {
    await options.blobs.put(key, bytes);
    const back = await options.blobs.get(key);
    if (!back || sha256(back) !== sha256(bytes)) throw new BackupError(`Blob ${key} did not read back identical after writing.`);
    blobs++;
    blobBytes += bytes.length;
    step.tick();
  };
  for await (const { key, bytes } of readBlobs(backup)) {
    while (writing.size > 0 && (writing.size >= WRITES_IN_FLIGHT || writingBytes + bytes.length > IN_FLIGHT_BYTES)) await Promise.race(writing);
    const job: Promise<void> = write(key, bytes).catch((err: unknown) => {
      failure.error ??= err instanceof Error ? err : new Error(String(err));
    });
    writing.add(job);
    writingBytes += bytes.length;
    void job.finally(() => {
      writing.delete(job);
      writingBytes -= bytes.length;
    });
    if (failure.error) break;
  }
  await Promise.all(writing);
  if (failure.error) throw failure.error;
  step.done();

  const { db, dialect } = openDb(config.database);
  try {
    await migrate(db, dialect);
  } finally {
    await db.destroy();
  }
  // Durable before it says so: the blobs written without a sync each (restore-fs.ts), and the SQLite
  // file, which was streamed and renamed into place without one.
  await options.blobs.settle?.();
  if (config.database.kind === 'sqlite') await syncFileSystems([dirname(config.database.path)]);
  return { blobs, blobBytes, databaseBytes: backup.database.size, ms: Date.now() - started };
}
