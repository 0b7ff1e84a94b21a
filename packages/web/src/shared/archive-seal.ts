/**
 * At-rest encryption of the message archive (issue #13 item 1; docs/privacy.md "History in this
 * browser"). What a message says — its audio and its sender's name — is sealed with AES-256-GCM
 * through WebCrypto under an archive key made in this browser on first use. The key is a
 * non-extractable CryptoKey kept in the same IndexedDB database: script on this origin can use it but
 * never read its bytes, so it is never sent anywhere. What this protects: the recordings are not kept
 * as playable files in the browser's profile (Chromium keeps IndexedDB Blobs as separate files), so
 * something that reads those files alone finds no audio or names. What it does not: the browser stores
 * the key in the same profile, so the unlocked profile, or a full copy of it, can still read them.
 *
 * Each record gets a fresh random 96-bit IV, and its messageId is the additional data, so a sealed
 * record moved under another message's id fails to open.
 */

/** Where the archive key lives in the state store (beside the device's keys). */
export const ARCHIVE_KEY = 'archive:key';

/** The sealed part of an archived message as IndexedDB holds it. */
export interface SealedContent {
  /** 12 random bytes, new for every write. */
  iv: Uint8Array<ArrayBuffer>;
  /** AES-GCM output (ciphertext and tag) of encodeContent's bytes. */
  data: ArrayBuffer;
}

/** What is sealed: the sender's name, the audio Blob's type and the audio's bytes. */
export interface OpenContent {
  senderName: string | null;
  audio: Blob;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Layout: 4-byte big-endian header length, a JSON header, then the audio bytes as they were. */
async function encodeContent(content: OpenContent): Promise<Uint8Array<ArrayBuffer>> {
  const header = encoder.encode(JSON.stringify({ senderName: content.senderName, type: content.audio.type }));
  const audio = new Uint8Array(await content.audio.arrayBuffer());
  const out = new Uint8Array(4 + header.length + audio.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(audio, 4 + header.length);
  return out;
}

function decodeContent(bytes: Uint8Array<ArrayBuffer>): OpenContent {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength))) as { senderName: unknown; type: unknown };
  return {
    senderName: typeof header.senderName === 'string' ? header.senderName : null,
    audio: new Blob([bytes.subarray(4 + headerLength)], { type: typeof header.type === 'string' ? header.type : '' }),
  };
}

const additionalData = (messageId: string) => encoder.encode(`burrow-archive:${messageId}`);

export async function sealContent(key: CryptoKey, messageId: string, content: OpenContent): Promise<SealedContent> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(messageId) },
    key,
    await encodeContent(content),
  );
  return { iv, data };
}

/** Throws (WebCrypto's OperationError) if the record was altered, moved, or sealed under another key. */
export async function openContent(key: CryptoKey, messageId: string, sealed: SealedContent): Promise<OpenContent> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv, additionalData: additionalData(messageId) },
    key,
    sealed.data,
  );
  return decodeContent(new Uint8Array(plain));
}

/** A fresh archive key; extractable false, so its bytes can never be read back out of WebCrypto. */
export function newArchiveKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}
