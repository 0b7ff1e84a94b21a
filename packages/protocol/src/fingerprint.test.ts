import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceFingerprint, generateDeviceKeys, toBase64url } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('fingerprint tests');
const wire = (k: ReturnType<typeof generateDeviceKeys>) => ({ signPublicKey: toBase64url(k.signPublicKey), kemPublicKey: toBase64url(k.kemPublicKey) });

test('a fingerprint is five groups of five digits, the same every time for the same keys', () => {
  const keys = wire(generateDeviceKeys(random));
  const fp = deviceFingerprint(keys);
  assert.match(fp, /^\d{5} \d{5} \d{5} \d{5} \d{5}$/);
  assert.equal(deviceFingerprint({ ...keys }), fp);
});

test('a fingerprint changes when either key changes', () => {
  const a = wire(generateDeviceKeys(random));
  const b = wire(generateDeviceKeys(random));
  const seen = new Set([deviceFingerprint(a), deviceFingerprint(b), deviceFingerprint({ signPublicKey: a.signPublicKey, kemPublicKey: b.kemPublicKey }), deviceFingerprint({ signPublicKey: b.signPublicKey, kemPublicKey: a.kemPublicKey })]);
  assert.equal(seen.size, 4);
  const many = new Set(Array.from({ length: 200 }, () => deviceFingerprint(wire(generateDeviceKeys(random)))));
  assert.equal(many.size, 200);
});

test('a fingerprint refuses keys of the wrong length', () => {
  assert.throws(() => deviceFingerprint({ signPublicKey: 'AAAA', kemPublicKey: 'AAAA' }));
});
