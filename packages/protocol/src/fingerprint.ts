/**
 * Device fingerprints (docs/protocol.md §12): a short number derived from a device's two public keys,
 * shown to a guardian approving the device and to its owner, who compare them out of band (in person,
 * on a call). The server hands the guardian the keys it signs into the roster; a server that offered
 * its own keys instead would show a different fingerprint.
 *
 * fingerprint = five groups of five decimal digits; group i = u40be(H[5i .. 5i+5]) mod 100000, with
 * H = SHA-256(T("burrow/v1/fingerprint", [signPublicKey, kemPublicKey])). 25 digits carry about 83
 * bits: matching a chosen device's fingerprint with other keys is a second-preimage search of ~2^83.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url } from './bytes.js';
import { Label, transcript } from './transcript.js';

export const FINGERPRINT_GROUPS = 5;

/** The fingerprint of a device's keys (base64url, as in a roster entry), e.g. "03512 88410 ...". */
export function deviceFingerprint(keys: { signPublicKey: string; kemPublicKey: string }): string {
  const h = sha256(transcript(Label.fingerprint, [fromBase64url(keys.signPublicKey, 32), fromBase64url(keys.kemPublicKey, 32)]));
  const groups: string[] = [];
  for (let i = 0; i < FINGERPRINT_GROUPS; i++) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + (h[i * 5 + j] ?? 0);
    groups.push(String(n % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}
