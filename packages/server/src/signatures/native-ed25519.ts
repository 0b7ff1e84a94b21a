/**
 * Ed25519 verification on Node's OpenSSL (node:crypto), plugged into the protocol's verification seam
 * (@burrow/protocol signature.ts). Every signature the server checks — envelopes in checkRouting,
 * rosters, toy settings, reviews, device proofs — goes through this one, about ten times cheaper
 * than the pure-JavaScript default (bench/verify.ts measures both). It stays synchronous: at tens of
 * microseconds a signature, a trip to the threadpool would cost more than it saves.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Bytes, SignatureVerifier } from '@burrow/protocol';

/** Parsed public keys by their base64url text: a family's few senders are checked again and again. */
const keys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 4096;

function publicKey(raw: Bytes): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  let key = keys.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    // Oldest first out: a Map iterates in insertion order.
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(x, key);
  }
  return key;
}

/** RFC 8032 §5.1.7 verification by OpenSSL; false for any malformed key or signature, never a throw. */
export const nativeVerify: SignatureVerifier = (rawKey, message, signature) => {
  if (rawKey.length !== 32 || signature.length !== 64) return false;
  try {
    return verify(null, message, publicKey(rawKey), signature);
  } catch {
    return false;
  }
};
