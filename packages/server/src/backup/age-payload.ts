/**
 * The payload of an age file (C2SP age spec, "Payload") through node:crypto's ChaCha20-Poly1305
 * rather than age-encryption's pure-JS one: on this machine the library sealed and opened 40–50 MiB/s,
 * node's (OpenSSL) about 360 MiB/s, and a CloudPets-size backup is ~9 GB sealed once and opened once
 * per verify. The files stay ordinary age files, byte for byte what age-encryption writes and reads
 * (streams.test.ts checks both directions against the library).
 *
 * Nothing here is a primitive: the header (X25519 stanza, HMAC) is still written and checked by
 * age-encryption; HKDF-SHA256 and ChaCha20-Poly1305 are node:crypto's. What this file does is the
 * spec's STREAM framing: 64 KiB chunks, each sealed under the payload key with a nonce of an 11-byte
 * big-endian chunk counter and a last-chunk flag byte, so a reordered, altered, dropped or truncated
 * chunk fails to open.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { Encrypter, type Decrypter } from 'age-encryption';

/** Plaintext bytes per STREAM chunk (the spec's). */
export const CHUNK = 64 * 1024;
const TAG = 16;
const SEALED_CHUNK = CHUNK + TAG;
/** The payload nonce that follows the header (the spec's). */
const NONCE = 16;

const payloadKey = (fileKey: Uint8Array, nonce: Uint8Array): Buffer =>
  Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));

/** The STREAM nonce of chunk `counter`: 11 bytes big-endian, then 1 on the last chunk. */
function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 2^53 chunks of 64 KiB is far past any file: the top bytes stay zero.
  nonce.writeUIntBE(Math.floor(counter / 2 ** 32), 3, 4);
  nonce.writeUInt32BE(counter >>> 0, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * Chunks that arrive in any sizes, handed out `size` bytes at a time; the remainder is kept for
 * `rest()`. A chunk is handed out only once more bytes follow it, so the last one is known.
 */
class Chunker {
  private parts: Buffer[] = [];
  private length = 0;
  constructor(private readonly size: number) {}

  push(chunk: Buffer, each: (whole: Buffer) => void): void {
    this.parts.push(chunk);
    this.length += chunk.length;
    if (this.length <= this.size) return;
    let all = this.parts.length === 1 ? chunk : Buffer.concat(this.parts, this.length);
    let at = 0;
    while (all.length - at > this.size) {
      each(all.subarray(at, at + this.size));
      at += this.size;
    }
    all = all.subarray(at);
    this.parts = [all];
    this.length = all.length;
  }

  rest(): Buffer {
    return this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.length);
  }
}

/**
 * An age encryption to `recipient`: the header and payload nonce (age-encryption's own, captured with
 * the file key it drew), and a Transform that seals the plaintext after them.
 */
export async function ageSeal(recipient: string): Promise<{ head: Buffer; payload: Transform }> {
  let fileKey: Uint8Array | null = null;
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  // A recipient that wraps nothing: it only sees the file key age drew for this file.
  encrypter.addRecipient({
    wrapFileKey(key: Uint8Array) {
      fileKey = key;
      return [];
    },
  });
  // An empty file is its header, the payload nonce and one sealed empty chunk (a tag).
  const empty = await encrypter.encrypt(new Uint8Array(0));
  if (!fileKey) throw new Error('age did not draw a file key');
  const head = Buffer.from(empty.subarray(0, empty.length - TAG));
  const key = payloadKey(fileKey, head.subarray(head.length - NONCE));
  let counter = 0;
  const seal = (plain: Buffer, last: boolean): Buffer => {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter++, last), { authTagLength: TAG });
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  };
  const chunker = new Chunker(CHUNK);
  const payload = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      chunker.push(chunk, (whole) => this.push(seal(whole, false)));
      done();
    },
    flush(done: TransformCallback) {
      done(null, seal(chunker.rest(), true));
    },
  });
  return { head, payload };
}

/** The longest header read: an X25519 stanza's is ~200 bytes, a post-quantum one's a few KiB. */
const HEADER_MAX = 64 * 1024;

/**
 * Opens the age file at `path`: checks its header (age-encryption, with `decrypter`'s identities;
 * throws on a wrong key or an altered header) and returns where the payload starts and a Transform
 * that opens it. The Transform fails on the first chunk that does not authenticate, and at the end
 * if the last chunk is missing (truncation).
 */
export async function ageOpen(decrypter: Decrypter, path: string): Promise<{ payloadStart: number; payload: Transform }> {
  const file = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEADER_MAX);
    const { bytesRead } = await file.read(buf, 0, HEADER_MAX, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  // The header ends with its MAC line: "--- <base64>\n".
  const macLine = head.indexOf('\n--- ');
  const end = macLine < 0 ? -1 : head.indexOf('\n', macLine + 1);
  if (end < 0 || end + 1 + NONCE > head.length) throw new Error('no age header');
  const fileKey = await decrypter.decryptHeader(head.subarray(0, end + 1));
  const key = payloadKey(fileKey, head.subarray(end + 1, end + 1 + NONCE));
  let counter = 0;
  const openChunk = (sealed: Buffer, last: boolean): Buffer => {
    if (sealed.length < TAG) throw new Error('truncated chunk');
    const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter++, last), { authTagLength: TAG });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
  };
  const chunker = new Chunker(SEALED_CHUNK);
  const payload = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        chunker.push(chunk, (whole) => this.push(openChunk(whole, false)));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        const first = counter === 0;
        const plain = openChunk(chunker.rest(), true);
        // Only an empty file ends in an empty chunk (the spec's rule).
        if (plain.length === 0 && !first) throw new Error('final chunk is empty');
        done(null, plain);
      } catch (err) {
        done(err as Error);
      }
    },
  });
  return { payloadStart: end + 1 + NONCE, payload };
}
