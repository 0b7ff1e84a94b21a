/**
 * Device keys (docs/protocol.md §2.3): an Ed25519 signing pair and an X25519 KEM pair, generated on
 * the device. Roles are branded so a KEM key cannot be used to verify a signature by mistake.
 * Private key bytes exist only where a platform cannot keep them in a non-extractable key store.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { fromBase64url, toBase64url, type Bytes, type RandomSource } from './bytes.js';
import { deviceIdFromSigningKey, type DeviceId } from './ids.js';
import { Label, transcript } from './transcript.js';

declare const role: unique symbol;
export type SigningPublicKey = Bytes & { readonly [role]: 'sign-public' };
export type SigningSecretKey = Bytes & { readonly [role]: 'sign-secret' };
export type KemPublicKey = Bytes & { readonly [role]: 'kem-public' };
export type KemSecretKey = Bytes & { readonly [role]: 'kem-secret' };

export interface DeviceKeys {
  readonly deviceId: DeviceId;
  readonly signPublicKey: SigningPublicKey;
  readonly signSecretKey: SigningSecretKey;
  readonly kemPublicKey: KemPublicKey;
  readonly kemSecretKey: KemSecretKey;
}

export function generateDeviceKeys(random: RandomSource): DeviceKeys {
  return deviceKeysFromSeeds(random(32), random(32));
}

/** Builds a key set from two 32-byte seeds (used for generation and for test vectors). */
export function deviceKeysFromSeeds(signSeed: Bytes, kemSeed: Bytes): DeviceKeys {
  const signSecretKey = signSeed.slice() as SigningSecretKey;
  const signPublicKey = ed25519.getPublicKey(signSecretKey) as SigningPublicKey;
  const kemSecretKey = kemSeed.slice() as KemSecretKey;
  const kemPublicKey = x25519.getPublicKey(kemSecretKey) as KemPublicKey;
  return { deviceId: deviceIdFromSigningKey(signPublicKey), signPublicKey, signSecretKey, kemPublicKey, kemSecretKey };
}

export function sign(secret: SigningSecretKey, message: Bytes): Bytes {
  return ed25519.sign(message, secret);
}

/**
 * Ed25519 verification (RFC 8032 §5.1.7) in pure JavaScript, with noble's defaults (ZIP 215 rules:
 * s must be canonical, so a signature cannot be malleated). The default SignatureVerifier (signature.ts).
 */
export function verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** Serialisable form of a key set, for a device's own storage (never sent anywhere). */
export interface StoredDeviceKeys {
  v: 1;
  signSecretKey: string;
  kemSecretKey: string;
}

export function exportDeviceKeys(keys: DeviceKeys): StoredDeviceKeys {
  return { v: 1, signSecretKey: toBase64url(keys.signSecretKey), kemSecretKey: toBase64url(keys.kemSecretKey) };
}

export function importDeviceKeys(stored: StoredDeviceKeys): DeviceKeys {
  return deviceKeysFromSeeds(fromBase64url(stored.signSecretKey, 32), fromBase64url(stored.kemSecretKey, 32));
}

export type ProofPurpose = 'device' | 'toy';

/**
 * Proof of possession sent when a device registers its public keys: an Ed25519 signature over
 * transcript("burrow/v1/device-proof", [purpose, signPublicKey, kemPublicKey]). It stops anyone
 * registering somebody else's signing key as their own device.
 */
export function makeDeviceProof(keys: DeviceKeys, purpose: ProofPurpose): string {
  return toBase64url(sign(keys.signSecretKey, transcript(Label.deviceProof, [purpose, keys.signPublicKey, keys.kemPublicKey])));
}

/**
 * A signing key of small order (the identity point and the other 7 torsion points, RFC 8032 §5.1.3
 * decoding) admits signatures that verify for every message under noble's, OpenSSL's and WebCrypto's
 * rules alike, so no device may register one. Undecodable bytes count as weak too.
 */
export function isWeakSigningKey(signPublicKey: Bytes): boolean {
  try {
    return ed25519.Point.fromBytes(signPublicKey).isSmallOrder();
  } catch {
    return true;
  }
}

/** Whether `proof` is the device's signature over its own keys for `purpose`, under a key that is not weak. */
export function verifyDeviceProof(input: {
  signPublicKey: string;
  kemPublicKey: string;
  proof: string;
  purpose: ProofPurpose;
}, verifier: (publicKey: Bytes, message: Bytes, signature: Bytes) => boolean = verify): boolean {
  try {
    const signPublicKey = fromBase64url(input.signPublicKey, 32);
    const kemPublicKey = fromBase64url(input.kemPublicKey, 32);
    const proof = fromBase64url(input.proof, 64);
    if (isWeakSigningKey(signPublicKey)) return false;
    return verifier(signPublicKey, transcript(Label.deviceProof, [input.purpose, signPublicKey, kemPublicKey]), proof);
  } catch {
    return false;
  }
}
