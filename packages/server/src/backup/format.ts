/**
 * The backup format (burrow-backup/2). A backup is a folder:
 *
 *   manifest.json   clear text: the format, when, which dialect, the recipient, and for every other
 *                   file its size and SHA-256. Enough to check a copy without any key.
 *   contents.age    the inner manifest, encrypted: the database file's hash and, for every blob, its
 *                   key, size, SHA-256, and where it sits in which pack. One JSON document a line
 *                   (contents.ts), written as the packs fill and read back as a stream, so neither
 *                   side holds one entry per blob. burrow-backup/1 wrote it as one JSON document
 *                   (InnerManifestV1); such backups still verify and restore.
 *   database.age    the database snapshot, encrypted (SQLite file, or a pg_dump custom-format dump).
 *   blobs-NNNN.age  blob packs, encrypted: blobs concatenated, up to PACK_BYTES each.
 *
 * Every `.age` file is encrypted to the operator's X25519 recipient (age, C2SP age spec), so the
 * server can write backups it cannot read. The blobs are message ciphertext already: a stolen backup
 * holds no audio even after decryption (P1).
 */
import { createHash } from 'node:crypto';

/** The format backups are written in. */
export const FORMAT = 'burrow-backup/2';
/** The formats verify and restore read: /1 differs only in contents.age (one whole JSON document). */
export const READABLE_FORMATS = ['burrow-backup/1', FORMAT] as const;
export type BackupFormat = (typeof READABLE_FORMATS)[number];
/** Plaintext bytes per blob pack (packs stream, so this is file size, not memory). */
export const PACK_BYTES = 64 * 1024 * 1024;

export interface FileEntry {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface OuterManifest {
  readonly format: BackupFormat;
  readonly createdAt: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly recipient: string;
  readonly files: readonly FileEntry[];
  readonly counts: { readonly blobs: number; readonly blobBytes: number; readonly databaseBytes: number };
}

export interface BlobEntry {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly pack: string;
  readonly offset: number;
}

/** The encrypted database file's name and its plaintext's size and SHA-256. */
export interface DatabaseEntry {
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
}

/** contents.age as burrow-backup/1 wrote it: one JSON document, every blob in one array. */
export interface InnerManifestV1 {
  readonly format: 'burrow-backup/1';
  readonly database: DatabaseEntry;
  readonly blobs: readonly BlobEntry[];
  /** Blob rows whose blob was already gone from the store when the backup ran. */
  readonly missingBlobs: readonly string[];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const packName = (n: number): string => `blobs-${String(n).padStart(4, '0')}.age`;

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** Parses and checks manifest.json; throws BackupError naming what is wrong. */
export function parseOuterManifest(text: string): OuterManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError('manifest.json is not JSON: this is not a Burrow backup, or it was altered.');
  }
  const m = value as Partial<OuterManifest> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    !READABLE_FORMATS.includes(m.format as BackupFormat) ||
    !Array.isArray(m.files) ||
    (m.dialect !== 'sqlite' && m.dialect !== 'postgres')
  )
    throw new BackupError(`manifest.json is not a ${READABLE_FORMATS.join(' or ')} manifest.`);
  for (const f of m.files as unknown[] as Partial<FileEntry>[])
    if (typeof f.name !== 'string' || !/^[a-z0-9.-]+\.age$/.test(f.name) || typeof f.sha256 !== 'string')
      throw new BackupError('manifest.json lists a file with a bad name or hash.');
  return m as OuterManifest;
}
