/**
 * The signature checks of the test vectors (test-vectors/v1.json) written once, for every verifier
 * and platform: signature.test.ts runs them in Node, e2e/browser/protocol-vectors.test.ts bundles
 * this file and runs it in Chromium.
 */
import { fromBase64url } from '../bytes.js';
import { parseEnvelope, verifyEnvelopeSignature } from '../envelope.js';
import { verifyDeviceProof } from '../keys.js';
import { parseReview, verifyReview } from '../review.js';
import { parseDeletion, verifyDeletion } from '../deletion.js';
import { parseFavourite, verifyFavourite } from '../favourite.js';
import { parseRoster, verifyRosterGenesis, verifyRosterSuccessor } from '../roster.js';
import { defaultVerifier, type AsyncSignatureVerifier, type SignatureVerifier } from '../signature.js';
import { parseSuccession, verifySuccession } from '../succession.js';
import { parseToySettings, verifyToySettings } from '../toy-settings.js';
import type { Vectors } from './vectors.js';

/** One signature check: public key, signed bytes, signature. */
export type SignatureCase = [publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array];

/**
 * Runs every signed object of the vectors (device proofs, rosters v1 and v2, the message, toy
 * settings, the review, the deletion, the successions, the favourite) through the protocol's checks with `verifier`; throws on the first that
 * fails. Returns what each check handed the verifier, so other verifiers can be run on the same.
 */
export function checkVectorSignatures(vectors: Vectors, verifier: SignatureVerifier = defaultVerifier): SignatureCase[] {
  const seen: SignatureCase[] = [];
  const recording: SignatureVerifier = (k, m, s) => {
    seen.push([k, m, s]);
    return verifier(k, m, s);
  };
  for (const [name, d] of Object.entries(vectors.devices)) {
    if (!verifyDeviceProof({ ...d, purpose: name === 'toy' ? 'toy' : 'device' }, recording)) throw new Error(`${name}'s device proof does not verify`);
  }
  const v1 = parseRoster(vectors.rosters.v1);
  const v2 = parseRoster(vectors.rosters.v2);
  verifyRosterGenesis(v1, recording);
  verifyRosterSuccessor(v1, v2, recording);
  const envelope = parseEnvelope(vectors.message.envelope);
  if (!verifyEnvelopeSignature(envelope, fromBase64url(vectors.devices.grandma.signPublicKey, 32), recording)) throw new Error('the message signature does not verify');
  verifyToySettings(parseToySettings(vectors.toySettings), v2, vectors.devices.toy.deviceId, null, recording);
  verifyReview(parseReview(vectors.review), envelope, v2, vectors.devices.toy.deviceId, recording);
  verifyDeletion(parseDeletion(vectors.deletion.instruction), envelope, v2, recording);
  // §17: roster v3 swaps grandma for her renewed identity; the succession's three signatures.
  const v3 = parseRoster(vectors.succession.rosterV3);
  verifyRosterSuccessor(v2, v3, recording);
  verifySuccession(parseSuccession(vectors.succession.succession), v2, v3, recording);
  // §17.6: roster v4 swaps the toy for its renewed identity; the toy's succession's three signatures.
  const v4 = parseRoster(vectors.toySuccession.rosterV4);
  verifyRosterSuccessor(v3, v4, recording);
  verifySuccession(parseSuccession(vectors.toySuccession.succession), v3, v4, recording);
  // §18: the guardian's favourite instruction for the toy, against roster v2.
  verifyFavourite(parseFavourite(vectors.favourite.instruction), v2, vectors.devices.toy.deviceId, recording);
  return seen;
}

/**
 * Runs an async verifier over `cases`: each must verify, and must not once a signature bit, a
 * message byte or the key is changed. Returns the problems found (empty when all is well).
 */
export async function checkAsyncVerifier(verify: AsyncSignatureVerifier, cases: readonly SignatureCase[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, [key, message, signature]] of cases.entries()) {
    if (!(await verify(key, message, signature))) problems.push(`case ${String(i)}: a valid signature was refused`);
    const flipped = signature.slice();
    flipped[i % 64] = flipped[i % 64]! ^ 1;
    if (await verify(key, message, flipped)) problems.push(`case ${String(i)}: a changed signature was accepted`);
    const changed = message.slice();
    changed[0] = changed[0]! ^ 1;
    if (await verify(key, changed, signature)) problems.push(`case ${String(i)}: a changed message was accepted`);
    const [otherKey] = cases[(i + 1) % cases.length]!;
    if (otherKey.some((b, j) => b !== key[j]) && (await verify(otherKey, message, signature))) problems.push(`case ${String(i)}: another key was accepted`);
  }
  return problems;
}
