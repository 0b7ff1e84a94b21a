import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultVerifier, generateDeviceKeys, secureRandom, sign } from '@burrow/protocol';
import { nativeVerify } from './native-ed25519.js';

void test('native verification agrees with the protocol default on valid, tampered and misaddressed signatures', () => {
  for (let i = 0; i < 20; i++) {
    const keys = generateDeviceKeys(secureRandom);
    const other = generateDeviceKeys(secureRandom);
    const message = secureRandom(1 + i * 37);
    const signature = sign(keys.signSecretKey, message);
    const tampered = signature.slice();
    tampered[i % 64]! ^= 0x10;
    const cases: [Uint8Array, Uint8Array, Uint8Array, boolean][] = [
      [keys.signPublicKey, message, signature, true],
      [keys.signPublicKey, message, tampered, false],
      [other.signPublicKey, message, signature, false],
      [keys.signPublicKey, secureRandom(message.length), signature, false],
    ];
    for (const [key, m, s, expected] of cases) {
      assert.equal(nativeVerify(key, m, s), expected);
      assert.equal(defaultVerifier(key, m, s), expected);
    }
  }
});

void test('native verification refuses a malleated signature (s + L), as the default does', () => {
  const keys = generateDeviceKeys(secureRandom);
  const message = secureRandom(64);
  const signature = sign(keys.signSecretKey, message);
  // RFC 8032 §5.1.7 requires s < L; adding the group order L gives a second encoding of the same s.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
  const malleated = signature.slice();
  for (let i = 0; i < 32; i++) malleated[32 + i] = Number(((s + L) >> BigInt(8 * i)) & 0xffn);
  assert.equal(nativeVerify(keys.signPublicKey, message, malleated), false);
  assert.equal(defaultVerifier(keys.signPublicKey, message, malleated), false);
});

void test('native verification answers false, not a throw, for wrong lengths and a key off the curve', () => {
  const keys = generateDeviceKeys(secureRandom);
  const message = secureRandom(10);
  const signature = sign(keys.signSecretKey, message);
  assert.equal(nativeVerify(keys.signPublicKey.slice(1), message, signature), false);
  assert.equal(nativeVerify(keys.signPublicKey, message, signature.slice(0, 63)), false);
  const notAPoint = new Uint8Array(32);
  notAPoint[0] = 2; // y = 2 is on no point of edwards25519
  assert.equal(nativeVerify(notAPoint, message, signature), false);
});
