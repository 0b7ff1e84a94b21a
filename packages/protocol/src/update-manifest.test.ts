import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  compareVersions,
  decodeUpdateBundle,
  encodeUpdateBundle,
  fromBase64url,
  generateReleaseKey,
  isProtocolError,
  parseReleasePublicKey,
  parseUpdateManifest,
  signUpdate,
  updateManifestTranscript,
  utf8,
  verifyUpdate,
  type ProtocolErrorCode,
  type UpdateBundle,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';
import { buildUpdateVectors, type UpdateVectors } from './testing/update-vectors.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/update-v1.json', import.meta.url), 'utf8')) as UpdateVectors;
const random = seededRandom('update manifest tests');
const release = generateReleaseKey(random);
const other = generateReleaseKey(random);
const payload = utf8('new firmware');
const body = { target: 'burrow-toy', version: '1.2.0', minVersion: '1.0.0', releasedAt: 5000, notes: 'Fixes.' };
const expected = { releaseKey: release.publicKey, target: 'burrow-toy', installedVersion: '1.1.0' };
const refusedWith = (code: ProtocolErrorCode) => (e: unknown) => isProtocolError(e, code);

test('the checked-in update vector is exactly what the code produces (format unchanged)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(buildUpdateVectors())), stored);
});

test('the update vector decodes and verifies from the file alone', () => {
  const bundle = decodeUpdateBundle(hexToBytes(stored.bundleHex));
  assert.deepEqual(bundle.manifest, stored.manifest);
  assert.deepEqual(bundle.payload, fromBase64url(stored.payload));
  assert.equal(bytesToHex(updateManifestTranscript(bundle.manifest)), stored.transcriptHex);
  verifyUpdate(bundle, { releaseKey: parseReleasePublicKey(stored.releasePublicKey), target: stored.target, installedVersion: stored.installedVersion });
});

test('a toy accepts a newer bundle for its target signed by the pinned release key, after a round trip through bytes', () => {
  const bytes = encodeUpdateBundle(signUpdate(body, payload, release.secretKey));
  verifyUpdate(decodeUpdateBundle(bytes), expected);
});

test('a toy refuses a bundle signed by another key, or with any signed field changed', () => {
  assert.throws(() => verifyUpdate(signUpdate(body, payload, other.secretKey), expected), refusedWith('bad_signature'));
  const good = signUpdate(body, payload, release.secretKey);
  for (const change of [{ notes: 'Other.' }, { version: '1.3.0' }, { minVersion: '0.9.0' }, { releasedAt: 5001 }]) {
    assert.throws(() => verifyUpdate({ ...good, manifest: { ...good.manifest, ...change } }, expected), refusedWith('bad_signature'));
  }
});

test('a toy refuses a downgrade, a re-install of its own version, a wrong target and too old a base version', () => {
  const signed = (b: Partial<typeof body>): UpdateBundle => signUpdate({ ...body, ...b }, payload, release.secretKey);
  assert.throws(() => verifyUpdate(signed({ version: '1.0.5', minVersion: '0.1.0' }), expected), refusedWith('bad_chain'));
  assert.throws(() => verifyUpdate(signed({ version: '1.1.0' }), expected), refusedWith('bad_chain'));
  assert.throws(() => verifyUpdate(signed({ target: 'burrow-lamp' }), expected), refusedWith('not_authorized'));
  assert.throws(() => verifyUpdate(signed({ minVersion: '1.1.5' }), expected), refusedWith('bad_chain'));
});

test('a toy refuses a truncated, padded or modified payload', () => {
  const bytes = encodeUpdateBundle(signUpdate(body, payload, release.secretKey));
  assert.throws(() => decodeUpdateBundle(bytes.subarray(0, bytes.length - 1)), refusedWith('hash_mismatch'));
  assert.throws(() => decodeUpdateBundle(new Uint8Array([...bytes, 0])), refusedWith('hash_mismatch'));
  assert.throws(() => decodeUpdateBundle(bytes.subarray(0, 30)), refusedWith('malformed'));
  const flipped = bytes.slice();
  flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
  assert.throws(() => verifyUpdate(decodeUpdateBundle(flipped), expected), refusedWith('hash_mismatch'));
});

test('parseUpdateManifest rejects an unknown version tag and malformed fields', () => {
  const good = signUpdate(body, payload, release.secretKey).manifest;
  assert.throws(() => parseUpdateManifest({ ...good, v: 2 }), refusedWith('unsupported_version'));
  for (const bad of [{ version: '1.2' }, { version: '01.2.0' }, { minVersion: '1.2.0' }, { target: 'Burrow Toy' }, { size: -1 }, { size: 1.5 }, { sha256: 'AAAA' }, { signature: 'AAAA' }, { notes: 'x'.repeat(4097) }, { releasedAt: Number.NaN }]) {
    assert.throws(() => parseUpdateManifest({ ...good, ...bad }), refusedWith('malformed'), JSON.stringify(bad).slice(0, 60));
  }
  assert.throws(() => parseUpdateManifest([good]), refusedWith('malformed'));
});

test('versions compare numerically, not as text', () => {
  assert.ok(compareVersions('1.10.0', '1.9.9') > 0);
  assert.ok(compareVersions('2.0.0', '10.0.0') < 0);
  assert.equal(compareVersions('3.2.1', '3.2.1'), 0);
});
