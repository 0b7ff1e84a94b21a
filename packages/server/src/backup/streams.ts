/**
 * Streaming pieces of the backup format: every file is encrypted, decrypted and hashed chunk by
 * chunk, so backup, verify and restore run in constant memory whatever the database's size.
 *
 * The files are ordinary age files: age-encryption writes and checks each header, and the payload
 * (64 KiB chunks, each authenticated, the last one flagged so truncation is caught) is sealed and
 * opened through node:crypto (age-payload.ts: about 8× the library's pure-JS cipher). They are
 * byte-compatible with those the buffered code wrote, so older burrow-backup/1 backups restore unchanged.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable} from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Decrypter } from 'age-encryption';
import { ageOpen, ageSeal } from './age-payload.js';
import { BackupError } from './format.js';

/** The size and SHA-256 of bytes that went by. */
export interface Measured {
  size: number;
  sha256: string;
}

/** A pass-through that measures what flows through it (read `measured()` after the end). */
export function measuring(): Transform & { measured(): Measured } {
  const hash = createHash('sha256');
  let size = 0;
  let digest: string | null = null;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(t, {
    measured(): Measured {
      digest ??= hash.digest('hex');
      return { size, sha256: digest };
    },
  });
}

/**
 * A pass-through that checks the bytes against an expected size and hash, and holds back the last
 * chunk until they match: a consumer (pg_restore, a file later renamed) never sees the end of a
 * stream that fails its hash, so it can roll back.
 */
export function checking(expected: Measured, what: string): Transform {
  const hash = createHash('sha256');
  let size = 0;
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      const out = held;
      held = chunk;
      done(null, out ?? undefined);
    },
    flush(done: TransformCallback) {
      if (size !== expected.size || hash.digest('hex') !== expected.sha256)
        done(new BackupError(`${what} does not match its hash.`));
      else done(null, held ?? undefined);
    },
  });
}

/**
 * A pass-through that ticks `step` once per MiB that goes by: the database's progress bar, whose
 * total is its size in MiB.
 */
export function countingMiB(step: { tick(n?: number): void }): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const before = Math.floor(bytes / MiB);
      bytes += chunk.length;
      const after = Math.floor(bytes / MiB);
      if (after > before) step.tick(after - before);
      done(null, chunk);
    },
  });
}

/** Bytes in a MiB: the database's progress unit. */
export const MiB = 1024 * 1024;

/** Bytes read from a file at a time: fewer, larger chunks through the hash and cipher stages. */
const READ_CHUNK = 1024 * 1024;

/**
 * Encrypts `source` to the age `recipient` into the file `path` (0600). Returns the plaintext's and
 * the file's size and hash; neither the plaintext nor the ciphertext is ever held whole.
 */
export async function encryptToFile(
  recipient: string,
  source: Readable,
  path: string,
): Promise<{ plain: Measured; sealed: Measured }> {
  const plain = measuring();
  const sealed = measuring();
  const { head, payload } = await ageSeal(recipient);
  source.on('error', (e) => plain.destroy(e));
  const out = createWriteStream(path, { mode: 0o600 });
  try {
    sealed.write(head);
    await pipeline(source, plain, payload, sealed, out);
  } catch (err) {
    source.destroy(); // a full disk must not leave pg_dump blocked on its pipe
    throw err;
  }
  return { plain: plain.measured(), sealed: sealed.measured() };
}

/**
 * The decrypted contents of the age file `path`, as a Node stream. A wrong identity throws here
 * (the header is read first); an altered chunk makes the stream error mid-way.
 */
export async function decryptFile(decrypter: Decrypter, path: string, name: string): Promise<Readable> {
  let opened: Awaited<ReturnType<typeof ageOpen>>;
  try {
    opened = await ageOpen(decrypter, path);
  } catch {
    throw new BackupError(`${name} cannot be decrypted with this identity (wrong key, or the file was altered).`);
  }
  const file = createReadStream(path, { start: opened.payloadStart, highWaterMark: READ_CHUNK });
  // A bad chunk is reported as a plain Error: name the file instead.
  const named = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      done(null, chunk);
    },
  });
  const fail = (): void => {
    named.destroy(new BackupError(`${name} cannot be decrypted: the file was altered or truncated.`));
  };
  file.on('error', fail);
  opened.payload.on('error', fail);
  // A reader that stops early (contents.age read for its first line) closes the file too.
  named.on('close', () => {
    file.destroy();
    opened.payload.destroy();
  });
  return file.pipe(opened.payload).pipe(named);
}

/** The size and SHA-256 of a file, read in chunks. */
export async function measureFile(path: string): Promise<Measured> {
  const m = measuring();
  await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), m, async (s: AsyncIterable<Buffer>) => {
    for await (const _ of s);
  });
  return m.measured();
}

/** Reads a whole stream; only for small files (the inner manifest). */
export async function readSmall(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Drains a stream, returning nothing: for checks whose work happens in the pipeline's stages. */
export async function drain(stream: Readable): Promise<void> {
  for await (const _ of stream);
}
