/**
 * Encryption at rest for the few secrets the server must be able to read back — today only TOTP
 * seeds. XChaCha20-Poly1305 (@noble/ciphers) under a key derived from the server's pepper with
 * HKDF-SHA-256 (RFC 5869; @noble/hashes) and its own label, so a database dump alone does not hold
 * a usable seed. The ciphertext is bound to the row it belongs to (the account id is the AAD), so
 * a seed copied onto another account does not open. Nothing here is logged.
 *
 * Format: `v1.<nonce base64url>.<ciphertext base64url>`; the key id (from the pepper id) is stored
 * beside it so a changed pepper is recognised rather than misread.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Pepper } from '../accounts/index.js';

const VERSION = 'v1';
const encoder = new TextEncoder();

export interface SecretBox {
  /** Identifies the key (changes with the pepper). */
  readonly keyId: string;
  seal(plaintext: Uint8Array, boundTo: string): string;
  /** Throws if the ciphertext was altered, sealed under another key, or bound to another row. */
  open(sealed: string, boundTo: string): Uint8Array;
}

export function createSecretBox(pepper: Pepper, label: string): SecretBox {
  const key = hkdf(
    sha256,
    new Uint8Array(pepper.secret),
    undefined,
    encoder.encode(`burrow secret box ${label} v1`),
    32,
  );
  return {
    keyId: pepper.id,
    seal(plaintext, boundTo) {
      const nonce = new Uint8Array(randomBytes(24));
      const ct = xchacha20poly1305(key, nonce, encoder.encode(boundTo)).encrypt(plaintext);
      return `${VERSION}.${Buffer.from(nonce).toString('base64url')}.${Buffer.from(ct).toString('base64url')}`;
    },
    open(sealed, boundTo) {
      const [version, nonce, ct] = sealed.split('.');
      if (version !== VERSION || !nonce || !ct) throw new Error('unknown secret box format');
      return xchacha20poly1305(
        key,
        new Uint8Array(Buffer.from(nonce, 'base64url')),
        encoder.encode(boundTo),
      ).decrypt(new Uint8Array(Buffer.from(ct, 'base64url')));
    },
  };
}
