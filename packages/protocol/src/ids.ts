/**
 * Ids branded by role, so a DeviceId cannot be passed where a FamilyId is expected (docs/protocol.md
 * §2.2). A device id is derived from the device's Ed25519 public key, so a roster entry cannot claim
 * an id that belongs to another key.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, toBase64url, type Bytes, type RandomSource } from './bytes.js';
import { expect } from './errors.js';
import { Label, transcript } from './transcript.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DeviceId = Brand<string, 'DeviceId'>;
export type FamilyId = Brand<string, 'FamilyId'>;
export type MessageId = Brand<string, 'MessageId'>;

/** 16 random bytes, base64url: the shape of every id (22 characters). */
const ID = /^[A-Za-z0-9_-]{22}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value) && fromBase64url(value).length === 16;
}

export function parseId<T extends DeviceId | FamilyId | MessageId>(value: unknown, what: string): T {
  expect(isId(value), what);
  return value as T;
}

export function newFamilyId(random: RandomSource): FamilyId {
  return toBase64url(random(16)) as FamilyId;
}

export function newMessageId(random: RandomSource): MessageId {
  return toBase64url(random(16)) as MessageId;
}

/** DeviceId = base64url(SHA-256(transcript("burrow/v1/device-id", [signPublicKey]))[0..16]). */
export function deviceIdFromSigningKey(signPublicKey: Bytes): DeviceId {
  expect(signPublicKey.length === 32, 'signing key');
  return toBase64url(sha256(transcript(Label.deviceId, [signPublicKey])).slice(0, 16)) as DeviceId;
}
