import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultVerifier, isWeakSigningKey, ProtocolError, parseRoster, toBase64url, verifyDeviceProof, verifyRosterGenesis, webCryptoVerifier, type Ed25519Subtle, type SignatureVerifier } from './index.js';
import { checkAsyncVerifier, checkVectorSignatures } from './testing/signature-vectors.js';
import type { Vectors } from './testing/vectors.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as Vectors;

void test('every signature check in the vectors goes through the verifier it is given', () => {
  assert.equal(checkVectorSignatures(stored).length, 18);
  const refuseAll: SignatureVerifier = () => false;
  assert.throws(() => verifyRosterGenesis(parseRoster(stored.rosters.v1), refuseAll), (e) => e instanceof ProtocolError && e.code === 'bad_signature');
  assert.equal(verifyDeviceProof({ ...stored.devices.guardian, purpose: 'device' }, refuseAll), false);
});

void test('WebCrypto Ed25519 is native in Node and decides every vector signature as noble does', async () => {
  const verify = webCryptoVerifier();
  assert.equal(await verify.native(), true);
  assert.deepEqual(await checkAsyncVerifier(verify, checkVectorSignatures(stored)), []);
});

void test('WebCrypto verification refuses wrong lengths and a key that is not a curve point', async () => {
  const verify = webCryptoVerifier();
  const [key, message, signature] = checkVectorSignatures(stored)[0]!;
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
    assert.deepEqual(await checkAsyncVerifier(verify, checkVectorSignatures(stored).slice(0, 2)), []);
  }
});

void test('a device proof under a small-order signing key is refused, though every verifier accepts its signature', async () => {
  // The identity point as the key, and R = identity, s = 0 as the signature: [s]B = R + [k]A holds
  // for every message, so whoever knows this can "sign" anything as that device.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const anySignature = new Uint8Array(64);
  anySignature[0] = 1;
  const message = new TextEncoder().encode('anything at all');
  assert.equal(defaultVerifier(identity, message, anySignature), true);
  assert.equal(await webCryptoVerifier()(identity, message, anySignature), true);
  assert.equal(isWeakSigningKey(identity), true);
  const kemPublicKey = stored.devices.guardian.kemPublicKey;
  assert.equal(verifyDeviceProof({ signPublicKey: toBase64url(identity), kemPublicKey, proof: toBase64url(anySignature), purpose: 'device' }), false);
  for (const d of Object.values(stored.devices)) assert.equal(isWeakSigningKey(Buffer.from(d.signPublicKey, 'base64url')), false);
});
