/**
 * Sealed messages (docs/protocol.md §6). A fresh 32-byte content key seals the payload (the audio
 * blob) and the metadata with XChaCha20-Poly1305; the content key is wrapped to each recipient device
 * with HPKE; the envelope — ids, sender, roster version, recipients, blob hash and size, sealed
 * metadata — is signed by the sender device with Ed25519. The server sees ids, sizes and timing.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equalBytes, fromBase64url, fromUtf8, toBase64url, utf8, type Bytes, type RandomSource } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { hpkeOpen, hpkeSeal } from './hpke.js';
import { parseId, type DeviceId, type FamilyId, type MessageId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript, type Field } from './transcript.js';

/** `voice`: an audio message with a blob. `record`: a small sealed record (a child profile), no blob. */
export type EnvelopeKind = 'voice' | 'record';

export interface EnvelopeRecipient {
  deviceId: DeviceId;
  /** HPKE encapsulated key, 32 bytes. */
  enc: string;
  /** HPKE ciphertext of the content key, 48 bytes. */
  wrappedKey: string;
}

export interface EnvelopeWire {
  v: 1;
  kind: EnvelopeKind;
  id: MessageId;
  familyId: FamilyId;
  sender: DeviceId;
  rosterVersion: number;
  createdAt: number;
  blob: { hash: string; size: number } | null;
  recipients: EnvelopeRecipient[];
  /** nonce (24) || XChaCha20-Poly1305 ciphertext of the metadata JSON. */
  meta: string;
  signature: string;
}

/** What the metadata may hold; it is encrypted, so names and durations stay in the family. */
export interface MessageMeta {
  senderName?: string;
  mimeType?: string;
  durationMs?: number;
  [key: string]: unknown;
}

export const BLOB_MAGIC = utf8('BRW1');
export const MAX_BLOB_BYTES = 2 * 1024 * 1024;
export const MAX_META_BYTES = 16 * 1024;
export const MAX_RECIPIENTS = 256;
const NONCE = 24;
const TAG = 16;
/** How much sealing adds to the metadata: the nonce and the AEAD tag (§6). */
export const SEALED_META_OVERHEAD = NONCE + TAG;

export interface Recipient {
  deviceId: DeviceId;
  kemPublicKey: Bytes;
}

export interface SealInput {
  kind: EnvelopeKind;
  id: MessageId;
  familyId: FamilyId;
  sender: DeviceKeys;
  rosterVersion: number;
  createdAt: number;
  recipients: readonly Recipient[];
  meta: MessageMeta;
  /** Plaintext payload; required for `voice`, absent for `record`. */
  payload?: Bytes;
  random: RandomSource;
  /** Fixes HPKE ephemeral keys, for test vectors only: one 32-byte seed per recipient. */
  ephemeralSeeds?: readonly Bytes[];
}

export interface Sealed {
  envelope: EnvelopeWire;
  /** "BRW1" || nonce || ciphertext; null for records. */
  blob: Bytes | null;
}

function signingTranscript(e: Omit<EnvelopeWire, 'signature'>): Bytes {
  const fields: Field[] = [
    e.kind,
    e.id,
    e.familyId,
    e.sender,
    e.rosterVersion,
    e.createdAt,
    e.blob ? fromBase64url(e.blob.hash, 32) : new Uint8Array(0),
    e.blob ? e.blob.size : 0,
    e.recipients.length,
  ];
  for (const r of e.recipients) fields.push(r.deviceId, fromBase64url(r.enc, 32), fromBase64url(r.wrappedKey, 48));
  fields.push(fromBase64url(e.meta));
  return transcript(Label.envelope, fields);
}

function contentKeyInfo(id: MessageId, familyId: FamilyId, sender: DeviceId, recipient: DeviceId): Bytes {
  return transcript(Label.contentKey, [id, familyId, sender, recipient]);
}

function aeadSeal(key: Bytes, nonce: Bytes, plaintext: Bytes, aad: Bytes): Bytes {
  return concat(nonce, xchacha20poly1305(key, nonce, aad).encrypt(plaintext));
}

function aeadOpen(key: Bytes, sealed: Bytes, aad: Bytes): Bytes {
  if (sealed.length < NONCE + TAG) throw new ProtocolError('decrypt_failed', 'Could not open.');
  try {
    return xchacha20poly1305(key, sealed.subarray(0, NONCE), aad).decrypt(sealed.subarray(NONCE));
  } catch {
    throw new ProtocolError('decrypt_failed', 'Could not open.');
  }
}

/** Seals a payload and metadata for a set of recipient devices and signs the envelope. */
export async function sealEnvelope(input: SealInput): Promise<Sealed> {
  const { kind, id, familyId, sender, random } = input;
  if (kind === 'voice' && !input.payload) throw new ProtocolError('malformed', 'A voice message needs a payload.');
  if (input.payload && input.payload.length > MAX_BLOB_BYTES - BLOB_MAGIC.length - NONCE - TAG) {
    throw new ProtocolError('malformed', 'Payload too large.');
  }
  expect(input.recipients.length >= 1 && input.recipients.length <= MAX_RECIPIENTS, 'recipients');
  const contentKey = random(32);
  const blob = kind === 'voice' && input.payload ? concat(BLOB_MAGIC, aeadSeal(contentKey, random(NONCE), input.payload, transcript(Label.blob, [id]))) : null;
  const metaBytes = utf8(JSON.stringify(input.meta));
  expect(metaBytes.length <= MAX_META_BYTES, 'metadata (too large)');
  const meta = aeadSeal(contentKey, random(NONCE), metaBytes, transcript(Label.meta, [id]));
  const recipients: EnvelopeRecipient[] = [];
  for (const [i, r] of input.recipients.entries()) {
    const sealed = await hpkeSeal(r.kemPublicKey, contentKeyInfo(id, familyId, sender.deviceId, r.deviceId), new Uint8Array(0), contentKey, input.ephemeralSeeds?.[i]);
    recipients.push({ deviceId: r.deviceId, enc: toBase64url(sealed.enc), wrappedKey: toBase64url(sealed.ct) });
  }
  const unsigned: Omit<EnvelopeWire, 'signature'> = {
    v: 1,
    kind,
    id,
    familyId,
    sender: sender.deviceId,
    rosterVersion: input.rosterVersion,
    createdAt: input.createdAt,
    blob: blob ? { hash: toBase64url(sha256(blob)), size: blob.length } : null,
    recipients,
    meta: toBase64url(meta),
  };
  contentKey.fill(0);
  const signature = toBase64url(sign(sender.signSecretKey, signingTranscript(unsigned)));
  return { envelope: { ...unsigned, signature }, blob };
}

/** Parses untrusted JSON into an envelope, rejecting anything not exactly of the wire form (§6.1). */
export function parseEnvelope(json: unknown): EnvelopeWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'envelope');
  const e = json as Record<string, unknown>;
  if (e.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported envelope version.');
  expect(e.kind === 'voice' || e.kind === 'record', 'envelope kind');
  expect(typeof e.rosterVersion === 'number' && Number.isSafeInteger(e.rosterVersion) && e.rosterVersion >= 1, 'roster version');
  expect(typeof e.createdAt === 'number' && Number.isSafeInteger(e.createdAt) && e.createdAt >= 0, 'createdAt');
  let blob: EnvelopeWire['blob'] = null;
  if (e.kind === 'voice') {
    expect(typeof e.blob === 'object' && e.blob !== null, 'blob reference');
    const b = e.blob as Record<string, unknown>;
    fromBase64url(b.hash as string, 32);
    expect(typeof b.size === 'number' && Number.isSafeInteger(b.size) && b.size >= BLOB_MAGIC.length + NONCE + TAG && b.size <= MAX_BLOB_BYTES, 'blob size');
    blob = { hash: b.hash as string, size: b.size };
  } else {
    expect(e.blob === null, 'blob reference');
  }
  expect(Array.isArray(e.recipients) && e.recipients.length >= 1 && e.recipients.length <= MAX_RECIPIENTS, 'recipients');
  const seen = new Set<string>();
  const recipients = (e.recipients as unknown[]).map((raw): EnvelopeRecipient => {
    expect(typeof raw === 'object' && raw !== null, 'recipient');
    const r = raw as Record<string, unknown>;
    const deviceId = parseId<DeviceId>(r.deviceId, 'recipient id');
    expect(!seen.has(deviceId), 'recipients (duplicate)');
    seen.add(deviceId);
    fromBase64url(r.enc as string, 32);
    fromBase64url(r.wrappedKey as string, 48);
    return { deviceId, enc: r.enc as string, wrappedKey: r.wrappedKey as string };
  });
  const meta = fromBase64url(e.meta as string);
  expect(meta.length >= NONCE + TAG && meta.length <= MAX_META_BYTES + NONCE + TAG, 'metadata');
  fromBase64url(e.signature as string, 64);
  return {
    v: 1,
    kind: e.kind,
    id: parseId<MessageId>(e.id, 'message id'),
    familyId: parseId<FamilyId>(e.familyId, 'family id'),
    sender: parseId<DeviceId>(e.sender, 'sender id'),
    rosterVersion: e.rosterVersion,
    createdAt: e.createdAt,
    blob,
    recipients,
    meta: e.meta as string,
    signature: e.signature as string,
  };
}

/** Whether the sender's signature over the envelope verifies under `signPublicKey` (§6). */
export function verifyEnvelopeSignature(envelope: EnvelopeWire, signPublicKey: Bytes, verifier: SignatureVerifier = verify): boolean {
  const { signature, ...unsigned } = envelope;
  try {
    return verifier(signPublicKey, signingTranscript(unsigned), fromBase64url(signature, 64));
  } catch {
    return false;
  }
}

export function blobHash(blob: Bytes): string {
  return toBase64url(sha256(blob));
}

export interface Opened {
  meta: MessageMeta;
  payload: Bytes | null;
}

/**
 * Opens an envelope addressed to `recipient`. The caller has already checked the signature and the
 * sender's rights against its roster (§7); this checks the blob hash and decrypts.
 */
export async function openEnvelope(envelope: EnvelopeWire, blob: Bytes | null, recipient: DeviceKeys): Promise<Opened> {
  const slot = envelope.recipients.find((r) => r.deviceId === recipient.deviceId);
  if (!slot) throw new ProtocolError('not_authorized', 'Not a recipient.');
  const contentKey = await hpkeOpen(
    recipient.kemSecretKey,
    { enc: fromBase64url(slot.enc, 32), ct: fromBase64url(slot.wrappedKey, 48) },
    contentKeyInfo(envelope.id, envelope.familyId, envelope.sender, recipient.deviceId),
    new Uint8Array(0),
  );
  const metaBytes = aeadOpen(contentKey, fromBase64url(envelope.meta), transcript(Label.meta, [envelope.id]));
  let meta: MessageMeta;
  try {
    const parsed: unknown = JSON.parse(fromUtf8(metaBytes));
    expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), 'metadata');
    meta = parsed as MessageMeta;
  } catch {
    throw new ProtocolError('malformed', 'Malformed metadata.');
  }
  let payload: Bytes | null = null;
  if (envelope.blob) {
    if (!blob || blob.length !== envelope.blob.size || !equalBytes(sha256(blob), fromBase64url(envelope.blob.hash, 32))) {
      throw new ProtocolError('hash_mismatch', 'Blob does not match the envelope.');
    }
    if (!equalBytes(blob.subarray(0, BLOB_MAGIC.length), BLOB_MAGIC)) throw new ProtocolError('unsupported_version', 'Unsupported blob version.');
    payload = aeadOpen(contentKey, blob.subarray(BLOB_MAGIC.length), transcript(Label.blob, [envelope.id]));
  }
  contentKey.fill(0);
  return { meta, payload };
}
