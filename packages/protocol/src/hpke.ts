/**
 * HPKE (RFC 9180) in base mode with the suite DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305 — KEM 0x0020, KDF 0x0001, AEAD 0x0003 (RFC 9180 §7). Used only to wrap a
 * message's 32-byte content key to each recipient device (docs/protocol.md §6.3).
 */
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { ProtocolError } from './errors.js';
import type { Bytes } from './bytes.js';

let suite: CipherSuite | undefined;
function getSuite(): CipherSuite {
  suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  return suite;
}

export interface HpkeSealed {
  /** The KEM's encapsulated key (32 bytes for X25519). */
  enc: Bytes;
  /** AEAD ciphertext of the plaintext plus the 16-byte tag. */
  ct: Bytes;
}

/**
 * SealBase(pkR, info, aad, pt) — RFC 9180 §6.1. `ephemeralSeed` (32 bytes) fixes the ephemeral key
 * and exists only for test vectors; production callers leave it out.
 */
export async function hpkeSeal(recipientPublicKey: Bytes, info: Bytes, aad: Bytes, plaintext: Bytes, ephemeralSeed?: Bytes): Promise<HpkeSealed> {
  const s = getSuite();
  // The library types its keys as WebCrypto's CryptoKey, which this package's DOM-free type set does
  // not declare; the key object only passes from one library call to the next.
  const { enc, ct } = await s.seal(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    { recipientPublicKey: await s.kem.deserializePublicKey(recipientPublicKey), info, ...(ephemeralSeed ? { ekm: ephemeralSeed } : {}) },
    plaintext,
    aad,
  );
  return { enc: new Uint8Array(enc), ct: new Uint8Array(ct) };
}

/** OpenBase(enc, skR, info, aad, ct) — RFC 9180 §6.1. Any failure is `decrypt_failed`. */
export async function hpkeOpen(recipientSecretKey: Bytes, sealed: HpkeSealed, info: Bytes, aad: Bytes): Promise<Bytes> {
  const s = getSuite();
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- CryptoKey, as in hpkeSeal
    return new Uint8Array(await s.open({ recipientKey: await s.kem.importKey('raw', recipientSecretKey.slice().buffer, false), enc: sealed.enc, info }, sealed.ct, aad));
  } catch {
    throw new ProtocolError('decrypt_failed', 'Could not open.');
  }
}
