/**
 * `burrow backup verify`: checks a backup without restoring it. Without an identity: every file the
 * manifest lists is present with its size and SHA-256 (catches truncation, bit rot and a ransomware
 * re-encryption). With the identity: also decrypts everything and checks the database's and every
 * blob's own hash.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter } from 'age-encryption';
import { BackupError, parseOuterManifest, sha256, type InnerManifest, type OuterManifest } from './format.js';
import { silentProgress, type ProgressFactory } from './progress.js';

export interface VerifySummary {
  manifest: OuterManifest;
  files: number;
  /** Present when an identity was given: everything was decrypted and every hash matched. */
  decrypted: { blobs: number; databaseBytes: number } | null;
}

/** Reads the manifest and checks every listed file's size and hash. */
export function checkFiles(dir: string, progress: ProgressFactory = silentProgress): OuterManifest {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new BackupError(`${dir} has no manifest.json: not a Burrow backup.`);
  const manifest = parseOuterManifest(readFileSync(manifestPath, 'utf8'));
  const step = progress('checking files', manifest.files.length);
  for (const f of manifest.files) {
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new BackupError(`${f.name} is missing from the backup.`);
    const bytes = readFileSync(path);
    if (bytes.length !== f.size || sha256(bytes) !== f.sha256)
      throw new BackupError(`${f.name} does not match its hash in manifest.json: the backup was altered or damaged.`);
    step.tick();
  }
  step.done();
  return manifest;
}

/** An opened backup: its manifests and a way to read each decrypted file (hash-checked by callers). */
export interface OpenedBackup {
  manifest: OuterManifest;
  inner: InnerManifest;
  decrypt(file: string): Promise<Uint8Array>;
}

export async function openBackup(dir: string, identity: string, progress?: ProgressFactory): Promise<OpenedBackup> {
  const manifest = checkFiles(dir, progress);
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity.trim());
  const decrypt = async (file: string): Promise<Uint8Array> => {
    if (!manifest.files.some((f) => f.name === file)) throw new BackupError(`${file} is not listed in manifest.json.`);
    try {
      return await decrypter.decrypt(readFileSync(join(dir, file)));
    } catch {
      throw new BackupError(`${file} cannot be decrypted with this identity (wrong key, or the file was altered).`);
    }
  };
  const inner = JSON.parse(new TextDecoder().decode(await decrypt('contents.age'))) as InnerManifest;
  return { manifest, inner, decrypt };
}

/** Decrypts the database file and checks its hash. */
export async function readDatabase(backup: OpenedBackup): Promise<Uint8Array> {
  const bytes = await backup.decrypt(backup.inner.database.file);
  if (bytes.length !== backup.inner.database.size || sha256(bytes) !== backup.inner.database.sha256)
    throw new BackupError('The database snapshot does not match its hash.');
  return bytes;
}

/** Yields every blob with its bytes, pack by pack, each checked against its hash. */
export async function* readBlobs(backup: OpenedBackup): AsyncGenerator<{ key: string; bytes: Uint8Array }> {
  const byPack = new Map<string, InnerManifest['blobs'][number][]>();
  for (const b of backup.inner.blobs) byPack.set(b.pack, [...(byPack.get(b.pack) ?? []), b]);
  for (const [pack, entries] of byPack) {
    const bytes = await backup.decrypt(pack);
    for (const e of entries) {
      const blob = bytes.subarray(e.offset, e.offset + e.size);
      if (blob.length !== e.size || sha256(blob) !== e.sha256)
        throw new BackupError(`Blob ${e.key} does not match its hash.`);
      yield { key: e.key, bytes: blob };
    }
  }
}

export async function verifyBackup(
  dir: string,
  identity: string | null,
  progress: ProgressFactory = silentProgress,
): Promise<VerifySummary> {
  if (identity === null) {
    const manifest = checkFiles(dir, progress);
    return { manifest, files: manifest.files.length, decrypted: null };
  }
  const backup = await openBackup(dir, identity, progress);
  const database = await readDatabase(backup);
  const step = progress('checking blobs', backup.inner.blobs.length);
  let blobs = 0;
  for await (const _ of readBlobs(backup)) {
    blobs++;
    step.tick();
  }
  step.done();
  return {
    manifest: backup.manifest,
    files: backup.manifest.files.length,
    decrypted: { blobs, databaseBytes: database.length },
  };
}
