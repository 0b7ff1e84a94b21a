/**
 * `burrow backup verify`: checks a backup without restoring it. Without an identity: every file the
 * manifest lists is present with its size and SHA-256 (catches truncation, bit rot and a ransomware
 * re-encryption). With the identity: also decrypts everything and checks the database's and every
 * blob's own hash. Every file is read in chunks (streams.ts), never whole, and the blob list
 * (contents.age) a line at a time (contents.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { readContents } from './contents.js';
import { BackupError, parseOuterManifest, sha256, type BlobEntry, type DatabaseEntry, type OuterManifest } from './format.js';
import { silentProgress, type ProgressFactory } from './progress.js';
import { checking, countingMiB, decryptFile, drain, measureFile, MiB } from './streams.js';

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
  database: DatabaseEntry;
  /** The blob entries, pack by pack and by offset, read from contents.age as they are consumed. */
  blobEntries(): Promise<AsyncGenerator<BlobEntry>>;
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
  const contents = async () => readContents(await decrypt('contents.age'), manifest.format);
  // The database entry heads contents.age; the blob list is read again, from the top, when wanted.
  const head = await contents();
  head.close();
  return { manifest, database: head.database, blobEntries: async () => (await contents()).blobs, decrypt };
}

/**
 * The decrypted database snapshot as a stream whose end is held back until its hash matches, with
 * a progress bar in MiB (done when the stream ends).
 */
export async function readDatabase(backup: OpenedBackup, progress: ProgressFactory = silentProgress): Promise<Readable> {
  const plain = await backup.decrypt(backup.database.file);
  const step = progress('database (MiB)', Math.ceil(backup.database.size / MiB));
  const counted = countingMiB(step);
  const checked = checking(backup.database, 'The database snapshot');
  plain.on('error', (e) => checked.destroy(e));
  counted.on('error', (e) => checked.destroy(e));
  checked.on('end', () => step.done());
  return plain.pipe(counted).pipe(checked);
}

/**
 * Cuts one pack's decrypted stream into its blobs, given in offset order, holding at most one blob
 * and one chunk. `finish` reads the pack to its end, so age checks the final chunk (no truncation).
 */
class PackCutter {
  private readonly chunks: AsyncIterator<Buffer>;
  private held: Buffer = Buffer.alloc(0);
  private pos = 0; // the pack offset of held[0]

  constructor(
    readonly pack: string,
    stream: Readable,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async take(entry: BlobEntry): Promise<Uint8Array> {
    if (entry.offset < this.pos) throw new BackupError(`${this.pack}: blob ${entry.key} overlaps another.`);
    const parts = [this.held];
    let have = this.held.length;
    while (this.pos + have < entry.offset + entry.size) {
      const r = await this.chunks.next();
      if (r.done === true) throw new BackupError(`${this.pack} ends before blob ${entry.key}.`);
      parts.push(r.value);
      have += r.value.length;
    }
    const all = parts.length === 1 ? this.held : Buffer.concat(parts);
    const bytes = all.subarray(entry.offset - this.pos, entry.offset - this.pos + entry.size);
    this.held = all.subarray(entry.offset - this.pos + entry.size);
    this.pos = entry.offset + entry.size;
    return bytes;
  }

  async finish(): Promise<void> {
    for (let r = await this.chunks.next(); r.done !== true; r = await this.chunks.next());
  }
}

/**
 * Yields every blob with its bytes, pack by pack, each checked against its hash. Entries and packs
 * are both streams: memory holds one entry, one blob and one chunk, whatever the number of blobs.
 */
export async function* readBlobs(backup: OpenedBackup): AsyncGenerator<{ key: string; bytes: Uint8Array }> {
  let cutter = null as PackCutter | null;
  for await (const entry of await backup.blobEntries()) {
    if (cutter?.pack !== entry.pack) {
      await cutter?.finish();
      cutter = new PackCutter(entry.pack, await backup.decrypt(entry.pack));
    }
    const bytes = await cutter.take(entry);
    if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256) throw new BackupError(`Blob ${entry.key} does not match its hash.`);
    yield { key: entry.key, bytes };
  }
  await cutter?.finish();
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
  const step = progress('checking blobs', backup.manifest.counts.blobs);
  let blobs = 0;
  for await (const _ of readBlobs(backup)) {
    blobs++;
    step.tick();
  }
  step.done();
  return {
    manifest: backup.manifest,
    files: backup.manifest.files.length,
    decrypted: { blobs, databaseBytes: backup.database.size },
  };
}
