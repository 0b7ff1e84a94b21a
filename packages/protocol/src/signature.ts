/**
 * The Ed25519 verification seam (docs/protocol.md §2.3, RFC 8032 §5.1.7). Every check in this package
 * that verifies a signature (device proofs, rosters, envelopes, toy settings, reviews) takes a
 * SignatureVerifier as its last, optional argument. The default is @noble/curves (pure JavaScript,
 * ≈2 ms a signature on a small server core); a platform with a native Ed25519 plugs it in here:
 * the server passes node:crypto's, a browser can use `webCryptoVerifier()` where async suits it.
 * The package itself stays free of node:* — the native verifier is built by the caller.
 */
import { verify as nobleVerify } from './keys.js';
import type { Bytes } from './bytes.js';

/**
 * True only when `signature` (64 bytes) is a valid Ed25519 signature of `message` under `publicKey`
 * (32 bytes). Never throws: malformed keys or signatures are simply false.
 */
export type SignatureVerifier = (publicKey: Bytes, message: Bytes, signature: Bytes) => boolean;

/** The same contract, for platforms whose native Ed25519 is asynchronous (WebCrypto). */
export type AsyncSignatureVerifier = (publicKey: Bytes, message: Bytes, signature: Bytes) => Promise<boolean>;

/** The pure-JavaScript verifier every check uses unless given another. */
export const defaultVerifier: SignatureVerifier = nobleVerify;

/**
 * The slice of WebCrypto's SubtleCrypto this needs, written out so the package compiles the same
 * against the DOM's and Node's type declarations.
 */
export interface Ed25519Subtle {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'Ed25519' }, extractable: false, usages: ['verify']): Promise<unknown>;
  verify(algorithm: { name: 'Ed25519' }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

/** The platform's SubtleCrypto if there is one (browsers in a secure context, Node ≥ 19, Deno, Bun). */
export function platformSubtle(): Ed25519Subtle | undefined {
  return (globalThis as { crypto?: { subtle?: Ed25519Subtle } }).crypto?.subtle;
}

// RFC 8032 §7.1, TEST 2: a known key, message and signature. Verifying it tells whether this
// WebCrypto has Ed25519 at all (older browsers answer NotSupportedError) and that it agrees.
const probeKey = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
const probeMessage = hex('72');
const probeSignature = hex(
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
);

function hex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

async function webCryptoHasEd25519(subtle: Ed25519Subtle | null): Promise<boolean> {
  if (!subtle) return false;
  try {
    const key = await subtle.importKey('raw', probeKey, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, probeSignature, probeMessage);
  } catch {
    return false;
  }
}

/**
 * An AsyncSignatureVerifier on WebCrypto's native Ed25519 (Chromium ≥ 137, Firefox ≥ 129, Safari ≥ 17,
 * Node ≥ 20), falling back to @noble/curves where the platform lacks it. Support is probed once,
 * with an RFC 8032 vector, on first use. `subtle` defaults to the platform's; null means none.
 */
export function webCryptoVerifier(subtle: Ed25519Subtle | null = platformSubtle() ?? null): AsyncSignatureVerifier & { readonly native: () => Promise<boolean> } {
  let probed: Promise<boolean> | undefined;
  const native = (): Promise<boolean> => (probed ??= webCryptoHasEd25519(subtle));
  const verify = async (publicKey: Bytes, message: Bytes, signature: Bytes): Promise<boolean> => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    if (!subtle || !(await native())) return nobleVerify(publicKey, message, signature);
    try {
      const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch {
      return false; // a key that is not a point on the curve
    }
  };
  return Object.assign(verify, { native });
}
