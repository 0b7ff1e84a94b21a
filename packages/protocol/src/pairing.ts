/**
 * Pairing codes (docs/protocol.md §5). The toy shows a code in two parts: a 6-character lookup the
 * server sees, and a 12-character secret (60 bits) that never leaves the toy and the guardian's device.
 * Both derive K = HKDF-SHA256(secret, salt = lookup, info = "burrow/v1/pairing-key"). The toy MACs its
 * public keys with K (so the server cannot swap the toy's keys), and the guardian MACs the roster it
 * signs for the toy (so the server cannot put another guardian key in the roster the toy pins).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fromBase64url, toBase64url, utf8, type Bytes, type RandomSource } from './bytes.js';
import { ProtocolError } from './errors.js';
import type { DeviceId } from './ids.js';
import { rosterHash, type RosterWire } from './roster.js';
import { Label, transcript } from './transcript.js';

/** Crockford base32: no I, L, O or U, so a code read aloud or off a label is hard to get wrong. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LOOKUP_LENGTH = 6;
export const SECRET_LENGTH = 12;
export const LOOKUP_PATTERN = /^[0-9A-HJKMNP-TV-Z]{6}$/;

export interface PairingCode {
  lookup: string;
  secret: string;
}

function randomChars(random: RandomSource, n: number): string {
  // 256 is a multiple of 32, so `byte & 31` is uniform.
  return Array.from(random(n), (b) => ALPHABET[b & 31]).join('');
}

export function generatePairingCode(random: RandomSource): PairingCode {
  return { lookup: randomChars(random, LOOKUP_LENGTH), secret: randomChars(random, SECRET_LENGTH) };
}

/** "ABCDEF-GHJK-MNPQ-RSTV": the lookup, then the secret in groups of four. */
export function formatPairingCode(code: PairingCode): string {
  return [code.lookup, code.secret.slice(0, 4), code.secret.slice(4, 8), code.secret.slice(8)].join('-');
}

/** Accepts what a person types: any case, spaces or dashes, and the usual look-alikes (O→0, I/L→1). */
export function parsePairingCode(text: string): PairingCode {
  const clean = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (clean.length !== LOOKUP_LENGTH + SECRET_LENGTH || [...clean].some((c) => !ALPHABET.includes(c))) {
    throw new ProtocolError('bad_pairing_code', 'That pairing code is not valid.');
  }
  return { lookup: clean.slice(0, LOOKUP_LENGTH), secret: clean.slice(LOOKUP_LENGTH) };
}

export function pairingKey(code: PairingCode): Bytes {
  return hkdf(sha256, utf8(code.secret), utf8(code.lookup), utf8(Label.pairingKey), 32);
}

function tag(key: Bytes, label: string, fields: (Bytes | string)[]): string {
  return toBase64url(hmac(sha256, key, transcript(label, fields)));
}

function checkTag(expected: string, actual: string): void {
  let given: Bytes;
  try {
    given = fromBase64url(actual, 32);
  } catch {
    throw new ProtocolError('bad_pairing_tag', 'Pairing check failed.');
  }
  if (!equalBytes(fromBase64url(expected, 32), given)) throw new ProtocolError('bad_pairing_tag', 'Pairing check failed.');
}

export interface ToyPublicKeys {
  toyId: DeviceId;
  signPublicKey: string;
  kemPublicKey: string;
}

/** Toy side: MAC over its own public keys, published with the lookup. */
export function toyKeysTag(key: Bytes, toy: ToyPublicKeys): string {
  return tag(key, Label.pairingToyKeys, [toy.toyId, fromBase64url(toy.signPublicKey, 32), fromBase64url(toy.kemPublicKey, 32)]);
}

/** Guardian side: the toy keys the server returned are the ones the toy in hand published. */
export function verifyToyKeysTag(key: Bytes, toy: ToyPublicKeys, keysTag: string): void {
  checkTag(toyKeysTag(key, toy), keysTag);
}

/** Guardian side: MAC binding the roster the toy will pin to this pairing. */
export function rosterTag(key: Bytes, toyId: DeviceId, roster: RosterWire): string {
  return tag(key, Label.pairingRoster, [toyId, fromBase64url(rosterHash(roster), 32)]);
}

/** Toy side: the roster came from whoever knows the secret, i.e. the guardian holding the toy. */
export function verifyRosterTag(key: Bytes, toyId: DeviceId, roster: RosterWire, given: string): void {
  checkTag(rosterTag(key, toyId, roster), given);
}
