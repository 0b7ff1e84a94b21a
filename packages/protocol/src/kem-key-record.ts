/**
 * KEM key records (docs/protocol.md §14): a device rotates its X25519 key on a schedule and publishes
 * each new public key in a record signed by its own Ed25519 identity, under its own label. Senders
 * seal to the newest record they have verified against the roster's signing key, and never go back
 * to an older one, so a server can withhold a new key (delaying the switch) but can neither forge a
 * key nor replay a retired one the device has since erased.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { parseId, type DeviceId } from './ids.js';
import { sign, verify, type KemPublicKey, type KemSecretKey, type SigningSecretKey } from './keys.js';
import { findDevice, type RosterDevice, type RosterWire } from './roster.js';
import type { SignatureVerifier } from './signature.js';
import { Label, transcript } from './transcript.js';

/** A signed announcement of a device's KEM public key for one epoch (epoch 0 is the roster's key). */
export interface KemKeyRecord {
  v: 1;
  deviceId: DeviceId;
  /** 1, 2, 3… increasing with every rotation; the roster's own `kemPublicKey` is epoch 0. */
  epoch: number;
  kemPublicKey: string;
  /** When the device made the key (ms); a sender ignores a record from further ahead than its clock allows. */
  notBefore: number;
  signature: string;
}

/** How far a record's `notBefore` may be ahead of the sender's clock (clock skew between devices). */
export const KEM_RECORD_MAX_SKEW_MS = 10 * 60 * 1000;

function recordTranscript(r: Omit<KemKeyRecord, 'v' | 'signature'>): Bytes {
  return transcript(Label.kemKey, [r.deviceId, r.epoch, fromBase64url(r.kemPublicKey, 32), r.notBefore]);
}

/** Signs the record for the device's new KEM key with its identity key (§14.1). */
export function signKemKeyRecord(
  input: { deviceId: DeviceId; epoch: number; kemPublicKey: KemPublicKey | Bytes; notBefore: number },
  signSecretKey: SigningSecretKey,
): KemKeyRecord {
  expect(Number.isSafeInteger(input.epoch) && input.epoch >= 1, 'key epoch');
  expect(Number.isSafeInteger(input.notBefore) && input.notBefore >= 0, 'notBefore');
  const body = {
    deviceId: input.deviceId,
    epoch: input.epoch,
    kemPublicKey: toBase64url(input.kemPublicKey),
    notBefore: input.notBefore,
  };
  return { v: 1, ...body, signature: toBase64url(sign(signSecretKey, recordTranscript(body))) };
}

/**
 * Parses a record from the wire. MUST-reject: a version tag other than 1, a malformed device id, an
 * epoch below 1, a notBefore that is not a counter, a key or signature of the wrong length. Fields not
 * listed are dropped (they are not signed).
 */
export function parseKemKeyRecord(json: unknown): KemKeyRecord {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'key record');
  const r = json as Record<string, unknown>;
  if (r.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported key record version.');
  const deviceId = parseId<DeviceId>(r.deviceId, 'device id');
  expect(Number.isSafeInteger(r.epoch) && (r.epoch as number) >= 1, 'key epoch');
  expect(Number.isSafeInteger(r.notBefore) && (r.notBefore as number) >= 0, 'notBefore');
  expect(typeof r.kemPublicKey === 'string' && typeof r.signature === 'string', 'key record');
  fromBase64url(r.kemPublicKey, 32);
  fromBase64url(r.signature, 64);
  return {
    v: 1,
    deviceId,
    epoch: r.epoch as number,
    kemPublicKey: r.kemPublicKey,
    notBefore: r.notBefore as number,
    signature: r.signature,
  };
}

/** Whether `record` is signed by the identity key `signPublicKey` (and names that key's device). */
export function verifyKemKeyRecord(
  record: KemKeyRecord,
  signPublicKey: string,
  verifier: SignatureVerifier = verify,
): boolean {
  try {
    const key = fromBase64url(signPublicKey, 32);
    return verifier(key, recordTranscript(record), fromBase64url(record.signature, 64));
  } catch {
    return false;
  }
}

/** The key a sender seals to for one device: its roster key (epoch 0) or a verified record. */
export interface SealingKey {
  deviceId: DeviceId;
  epoch: number;
  kemPublicKey: string;
}

export type KemRecordRefusal =
  'not_in_roster' | 'bad_signature' | 'replayed' | 'equivocation' | 'not_yet_valid';

/**
 * A sender's decision for one offered record (§14.2), given what it has pinned for that device
 * (`pinned`, at least the roster key). Returns the key to pin and seal to from now on, or why the
 * offer is refused (in which case the sender keeps `pinned`). Pure: the caller stores the result.
 */
export function considerKemKeyRecord(
  offered: KemKeyRecord,
  roster: RosterWire,
  pinned: SealingKey | undefined,
  now: number,
  verifier: SignatureVerifier = verify,
): { accept: SealingKey } | { refuse: KemRecordRefusal } {
  const device: RosterDevice | undefined = findDevice(roster, offered.deviceId);
  if (!device) return { refuse: 'not_in_roster' };
  if (!verifyKemKeyRecord(offered, device.signPublicKey, verifier)) return { refuse: 'bad_signature' };
  if (offered.notBefore > now + KEM_RECORD_MAX_SKEW_MS) return { refuse: 'not_yet_valid' };
  const held = pinned?.deviceId === offered.deviceId ? pinned.epoch : 0;
  if (pinned?.deviceId === offered.deviceId && offered.epoch === held) {
    // The same epoch again is fine; a different key under an epoch already pinned is not.
    return pinned.kemPublicKey === offered.kemPublicKey ? { accept: pinned } : { refuse: 'equivocation' };
  }
  if (offered.epoch < held) return { refuse: 'replayed' };
  return { accept: { deviceId: offered.deviceId, epoch: offered.epoch, kemPublicKey: offered.kemPublicKey } };
}

/** The public half of an X25519 secret (a rotated KEM key). */
export function kemPublicKeyOf(secret: KemSecretKey | Bytes): KemPublicKey {
  return x25519.getPublicKey(secret) as KemPublicKey;
}
