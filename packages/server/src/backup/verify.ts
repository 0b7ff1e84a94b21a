/**
 * `burrow backup verify`: checks a backup without restoring it. Without an identity: every file the
 * manifest lists is present with its size and SHA-256 (catches truncation, bit rot and a ransomware
 * re-encryption). With the identity: also decrypts everything and checks the database's and every
 * blob's own hash. Every file is read in chunks (streams.ts), never whole.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { BackupError, parseOuterManifest, sha256, type BlobEntry, type InnerManifest, type OuterManifest } from './format.js';
import { silentProgress, type ProgressFactory } from './progress.js';
import { checking, countingMiB, decryptFile, drain, measureFile, MiB, readSmall } from './streams.js';

export interface VerifySummary {
  manifest: OuterManifest;
  files: number;
  /** Present when an identity was given: everything was decrypted and every hash matched. */
  decrypted: { blobs: number; databaseBytes: number } | null;
}

/** Reads the manifest and checks every listed file's size and hash (each file read in chunks). */
export async function checkFiles(dir: string, progress: ProgressFactory = silentProgress): Promise<OuterManifest> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new BackupError(`${dir} has no manifest.json: not a Burrow backup.`);
  const manifest = parseOuterManifest(readFileSync(manifestPath, 'utf8'));
  const step = progress('checking files', manifest.files.length);
  for (const f of manifest.files) {
    const path = join(dir, f.name);
    if (!existsSync(path)) throw new BackupError(`${f.name} is missing from the backup.`);
    const found = await measureFile(path);
    if (found.size !== f.size || found.sha256 !== f.sha256)
      throw new BackupError(`${f.name} does not match its hash in manifest.json: the backup was altered or damaged.`);
    step.tick();
  }
  step.done();
  return manifest;
}

/** An opened backup: its manifests and a way to stream each decrypted file (hash-checked by callers). */
export interface OpenedBackup {
  manifest: OuterManifest;
  inner: InnerManifest;
  decrypt(file: string): Promise<Readable>;
}

export async function openBackup(dir: string, identity: string, progress?: ProgressFactory): Promise<OpenedBackup> {
  const manifest = await checkFiles(dir, progress);
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity.trim());
  const decrypt = async (file: string): Promise<Readable> => {
    if (!manifest.files.some((f) => f.name === file)) throw new BackupError(`${file} is not listed in manifest.json.`);
    return decryptFile(decrypter, join(dir, file), file);
  };
  const inner = JSON.parse((await readSmall(await decrypt('contents.age'))).toString('utf8')) as InnerManifest;
  return { manifest, inner, decrypt };
}

/**
 * The decrypted database snapshot as a stream whose end is held back until its hash matches, with
 * a progress bar in MiB (done when the stream ends).
 */
export async function readDatabase(backup: OpenedBackup, progress: ProgressFactory = silentProgress): Promise<Readable> {
  const plain = await backup.decrypt(backup.inner.database.file);
  const step = progress('database (MiB)', Math.ceil(backup.inner.database.size / MiB));
  const counted = countingMiB(step);
  const checked = checking(backup.inner.database, 'The database snapshot');
  plain.on('error', (e) => checked.destroy(e));
  counted.on('error', (e) => checked.destroy(e));
  checked.on('end', () => step.done());
  return plain.pipe(counted).pipe(checked);
}

/**
 * Cuts a pack's decrypted stream into its blobs (entries sorted by offset), holding at most one
 * blob and one chunk. Reads the pack to its end, so age checks the final chunk (no truncation).
 */
async function* cutPack(
  stream: Readable,
  entries: readonly BlobEntry[],
  pack: string,
): AsyncGenerator<{ entry: BlobEntry; bytes: Uint8Array }> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let held: Buffer = Buffer.alloc(0);
  let pos = 0; // the pack offset of held[0]
  for (const entry of entries) {
    if (entry.offset < pos) throw new BackupError(`${pack}: blob ${entry.key} overlaps another.`);
    const parts = [held];
    let have = held.length;
    while (pos + have < entry.offset + entry.size) {
      const r = await chunks.next();
      if (r.done) throw new BackupError(`${pack} ends before blob ${entry.key}.`);
      parts.push(r.value);
      have += r.value.length;
    }
    const all = parts.length === 1 ? held : Buffer.concat(parts);
    const bytes = all.subarray(entry.offset - pos, entry.offset - pos + entry.size);
    held = all.subarray(entry.offset - pos + entry.size);
    pos = entry.offset + entry.size;
    yield { entry, bytes };
  }
  for (let r = await chunks.next(); !r.done; r = await chunks.next());
}

/** Yields every blob with its bytes, pack by pack, each checked against its hash. */
export async function* readBlobs(backup: OpenedBackup): AsyncGenerator<{ key: string; bytes: Uint8Array }> {
  const byPack = new Map<string, BlobEntry[]>();
  for (const b of backup.inner.blobs) {
    const list = byPack.get(b.pack);
    if (list) list.push(b);
    else byPack.set(b.pack, [b]);
  }
  for (const [pack, entries] of byPack) {
    entries.sort((a, b) => a.offset - b.offset);
    for await (const { entry, bytes } of cutPack(await backup.decrypt(pack), entries, pack)) {
      if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256)
        throw new BackupError(`Blob ${entry.key} does not match its hash.`);
      yield { key: entry.key, bytes };
    }
  }
}

export async function verifyBackup(
  dir: string,
  identity: string | null,
  progress: ProgressFactory = silentProgress,
): Promise<VerifySummary> {
  if (identity === null) {
    const manifest = await checkFiles(dir, progress);
    return { manifest, files: manifest.files.length, decrypted: null };
  }
  const backup = await openBackup(dir, identity, progress);
  await drain(await readDatabase(backup, progress));
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
    decrypted: { blobs, databaseBytes: backup.inner.database.size },
  };
}
