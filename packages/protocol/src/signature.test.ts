import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  defaultVerifier,
  fromBase64url,
  parseEnvelope,
  parseReview,
  parseRoster,
  parseToySettings,
  ProtocolError,
  verifyDeviceProof,
  verifyEnvelopeSignature,
  verifyReview,
  verifyRosterGenesis,
  verifyRosterSuccessor,
  verifyToySettings,
  webCryptoVerifier,
  type Ed25519Subtle,
  type SignatureVerifier,
} from './index.js';
import type { Vectors } from './testing/vectors.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as Vectors;

/** Every (publicKey, message, signature) the vector checks ask for, captured through the seam. */
function vectorSignatures(): [Uint8Array, Uint8Array, Uint8Array][] {
  const seen: [Uint8Array, Uint8Array, Uint8Array][] = [];
  const recording: SignatureVerifier = (k, m, s) => (seen.push([k, m, s]), defaultVerifier(k, m, s));
  runVectorChecks(recording);
  return seen;
}

/** The vector file's signed objects, checked with `verifier`. */
function runVectorChecks(verifier: SignatureVerifier): void {
  for (const [name, d] of Object.entries(stored.devices)) {
    assert.ok(verifyDeviceProof({ ...d, purpose: name === 'toy' ? 'toy' : 'device' }, verifier), `${name} proof`);
  }
  const v1 = parseRoster(stored.rosters.v1);
  const v2 = parseRoster(stored.rosters.v2);
  verifyRosterGenesis(v1, verifier);
  verifyRosterSuccessor(v1, v2, verifier);
  const envelope = parseEnvelope(stored.message.envelope);
  assert.ok(verifyEnvelopeSignature(envelope, fromBase64url(stored.devices.grandma.signPublicKey, 32), verifier));
  verifyToySettings(parseToySettings(stored.toySettings), v2, stored.devices.toy.deviceId, null, verifier);
  verifyReview(parseReview(stored.review), envelope, v2, stored.devices.toy.deviceId, verifier);
}

void test('every signature check in the vectors goes through the verifier it is given', () => {
  assert.equal(vectorSignatures().length, 8);
  const refuseAll: SignatureVerifier = () => false;
  assert.throws(() => verifyRosterGenesis(parseRoster(stored.rosters.v1), refuseAll), (e) => e instanceof ProtocolError && e.code === 'bad_signature');
  assert.equal(verifyDeviceProof({ ...stored.devices.guardian, purpose: 'device' }, refuseAll), false);
});

void test('WebCrypto Ed25519 is native on this platform and agrees with noble on every vector signature', async () => {
  const verify = webCryptoVerifier();
  assert.equal(await verify.native(), true);
  for (const [key, message, signature] of vectorSignatures()) {
    assert.equal(await verify(key, message, signature), true);
    const flipped = signature.slice();
    flipped[5]! ^= 1;
    assert.equal(await verify(key, message, flipped), false);
    assert.equal(defaultVerifier(key, message, flipped), false);
    assert.equal(await verify(key, message.slice(1), signature), false);
  }
});

void test('WebCrypto verification refuses wrong lengths and a key that is not a curve point', async () => {
  const verify = webCryptoVerifier();
  const [key, message, signature] = vectorSignatures()[0]!;
  assert.equal(await verify(key.slice(1), message, signature), false);
  assert.equal(await verify(key, message, signature.slice(1)), false);
  // y = 2 is not the y-coordinate of any point on edwards25519.
  const notAPoint = new Uint8Array(32);
  notAPoint[0] = 2;
  assert.equal(await verify(notAPoint, message, signature), false);
});

void test('without WebCrypto Ed25519 the verifier falls back to noble and still decides correctly', async () => {
  const unsupported: Ed25519Subtle = {
    importKey: () => Promise.reject(new DOMException('Ed25519 is not supported', 'NotSupportedError')),
    verify: () => Promise.reject(new Error('unreachable')),
  };
  for (const subtle of [unsupported, null]) {
    const verify = webCryptoVerifier(subtle);
    assert.equal(await verify.native(), false);
    const [key, message, signature] = vectorSignatures()[0]!;
    assert.equal(await verify(key, message, signature), true);
    assert.equal(await verify(key, message.slice(1), signature), false);
  }
});
