/**
 * `burrow backup`: a consistent snapshot of the database and every blob it references, encrypted to
 * the operator's age recipient, with a manifest of SHA-256 hashes (format.ts describes the folder).
 * The folder is written under a temporary name and renamed when complete, so a half-written backup
 * never looks like a backup.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encrypter } from 'age-encryption';
import type { Blobs } from '../blobs/index.js';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { snapshotDatabase } from './database.js';
import {
  BackupError,
  FORMAT,
  PACK_BYTES,
  packName,
  sha256,
  type BlobEntry,
  type FileEntry,
  type InnerManifest,
  type OuterManifest,
} from './format.js';
import { silentProgress, type ProgressFactory } from './progress.js';

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
  const encrypter = new Encrypter();
  encrypter.addRecipient(options.recipient);
  const createdAt = (options.now ?? new Date()).toISOString();
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const name = `burrow-backup-${createdAt.replace(/[:.]/g, '-')}`;
  const work = mkdtempSync(join(options.outDir, `.partial-${name}-`));
  try {
    const files: FileEntry[] = [];
    const write = async (file: string, plain: Uint8Array): Promise<void> => {
      const sealed = await encrypter.encrypt(plain);
      writeFileSync(join(work, file), sealed, { mode: 0o600 });
      files.push({ name: file, size: sealed.length, sha256: sha256(sealed) });
    };

    const dbStep = progress('database', 1);
    const snapshot = await snapshotDatabase(options.database, options.db, work);
    await write('database.age', snapshot.bytes);
    dbStep.tick();
    dbStep.done();

    const blobStep = progress('blobs', snapshot.blobKeys.length);
    const entries: BlobEntry[] = [];
    const missing: string[] = [];
    let pack: Uint8Array[] = [];
    let packSize = 0;
    let blobBytes = 0;
    const flush = async (): Promise<void> => {
      if (pack.length === 0) return;
      await write(packName(files.length), Buffer.concat(pack));
      pack = [];
      packSize = 0;
    };
    for (const key of snapshot.blobKeys) {
      const bytes = await options.blobs.get(key);
      blobStep.tick();
      if (!bytes) {
        missing.push(key);
        continue;
      }
      if (packSize > 0 && packSize + bytes.length > PACK_BYTES) await flush();
      entries.push({ key, size: bytes.length, sha256: sha256(bytes), pack: packName(files.length), offset: packSize });
      pack.push(bytes);
      packSize += bytes.length;
      blobBytes += bytes.length;
    }
    await flush();
    blobStep.done();

    const inner: InnerManifest = {
      format: FORMAT,
      database: { file: 'database.age', size: snapshot.bytes.length, sha256: sha256(snapshot.bytes) },
      blobs: entries,
      missingBlobs: missing,
    };
    await write('contents.age', new TextEncoder().encode(JSON.stringify(inner)));
    const outer: OuterManifest = {
      format: FORMAT,
      createdAt,
      dialect: options.database.kind,
      recipient: options.recipient,
      files,
      counts: { blobs: entries.length, blobBytes, databaseBytes: snapshot.bytes.length },
    };
    const manifest = `${JSON.stringify(outer, null, 2)}\n`;
    writeFileSync(join(work, 'manifest.json'), manifest, { mode: 0o600 });
    const path = join(options.outDir, name);
    renameSync(work, path);
    return {
      path,
      blobs: entries.length,
      blobBytes,
      databaseBytes: snapshot.bytes.length,
      backupBytes: files.reduce((n, f) => n + f.size, 0) + Buffer.byteLength(manifest),
      missingBlobs: missing.length,
      ms: Date.now() - started,
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}
