import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromBase64url, importDeviceKeys, openEnvelope, parseEnvelope, parseRoster, rosterHash, verifyDeviceProof, verifyRosterGenesis, verifyRosterSuccessor, pairingKey, verifyRosterTag, verifyToyKeysTag, toBase64url, parseToySettings, verifyToySettings, parseReview, verifyReview, reviewAdmission, settingsVolume, reviewedDevices, deviceFingerprint, parseFavourite, verifyFavourite, verifyFavouriteSignature, transcript, Label, parseSuccession, verifySuccession, acceptSuccessions, type DeviceId } from './index.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { buildVectors, type Vectors } from './testing/vectors.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as Vectors;

test('the checked-in vectors are exactly what the code produces (format unchanged)', async () => {
  assert.deepEqual(JSON.parse(JSON.stringify(await buildVectors())), stored);
});

test('vector device ids, proofs and rosters verify from the file alone', () => {
  for (const [name, d] of Object.entries(stored.devices)) {
    const keys = importDeviceKeys({ v: 1, signSecretKey: d.signSeed, kemSecretKey: d.kemSeed });
    assert.equal(keys.deviceId, d.deviceId);
    assert.equal(toBase64url(keys.kemPublicKey), d.kemPublicKey);
    assert.ok(verifyDeviceProof({ ...d, purpose: name === 'toy' ? 'toy' : 'device' }));
  }
  const v1 = parseRoster(stored.rosters.v1);
  const v2 = parseRoster(stored.rosters.v2);
  verifyRosterGenesis(v1);
  verifyRosterSuccessor(v1, v2);
  assert.equal(rosterHash(v1), stored.rosters.hashV1);
  assert.equal(rosterHash(v2), stored.rosters.hashV2);
});

test('vector pairing tags verify with the key derived from the code', () => {
  const key = pairingKey(stored.pairing.code);
  assert.equal(toBase64url(key), stored.pairing.key);
  const toy = stored.devices.toy;
  verifyToyKeysTag(key, { toyId: toy.deviceId as DeviceId, ...toy }, stored.pairing.keysTag);
  verifyRosterTag(key, toy.deviceId as DeviceId, parseRoster(stored.rosters.v2), stored.pairing.rosterTag);
});

test('vector message opens for each recipient to the exact payload and metadata', async () => {
  const envelope = parseEnvelope(stored.message.envelope);
  for (const d of [stored.devices.toy, stored.devices.guardian]) {
    const keys = importDeviceKeys({ v: 1, signSecretKey: d.signSeed, kemSecretKey: d.kemSeed });
    const opened = await openEnvelope(envelope, fromBase64url(stored.message.blob), keys);
    assert.deepEqual(opened.payload, fromBase64url(stored.message.payload));
    assert.deepEqual(opened.meta, stored.message.meta);
  }
});

test('vector toy settings parse and verify against the roster from the file alone', () => {
  const settings = parseToySettings(stored.toySettings);
  verifyToySettings(settings, parseRoster(stored.rosters.v2), stored.devices.toy.deviceId, null);
  assert.deepEqual(settings.quietHours, { start: 1260, end: 420 });
});

test('vector toy settings v2 and the review verify from the file alone; the review admits the vector message', () => {
  const roster = parseRoster(stored.rosters.v2);
  const v1 = parseToySettings(stored.toySettings);
  const v2 = parseToySettings(stored.toySettingsV2);
  verifyToySettings(v2, roster, stored.devices.toy.deviceId, v1);
  assert.equal(settingsVolume(v2), 40);
  assert.deepEqual(reviewedDevices(v2), [stored.devices.grandma.deviceId]);
  const envelope = parseEnvelope(stored.message.envelope);
  verifyReview(parseReview(stored.review), envelope, roster, stored.devices.toy.deviceId);
  assert.equal(reviewAdmission(envelope, roster, stored.devices.toy.deviceId, { settings: v2, review: stored.review }), null);
  assert.equal(reviewAdmission(envelope, roster, stored.devices.toy.deviceId, { settings: v2, review: null }), 'not_reviewed');
});

test('vector fingerprints are derived from the public keys in the file', () => {
  for (const name of ['guardian', 'grandma', 'toy'] as const) assert.equal(deviceFingerprint(stored.devices[name]), stored.fingerprints[name]);
});

test('vector favourite instruction (§18): its transcript is the recorded bytes, it verifies against roster v2 for the toy, and not once changed', () => {
  const roster = parseRoster(stored.rosters.v2);
  const f = parseFavourite(stored.favourite.instruction);
  assert.equal(f.signer, stored.devices.guardian.deviceId);
  assert.equal(f.messageId, parseEnvelope(stored.message.envelope).id);
  assert.equal(bytesToHex(transcript(Label.favourite, [f.familyId, f.toyId, f.messageId, f.keep, f.signer, f.issuedAt])), stored.favourite.transcriptHex);
  assert.ok(verifyFavouriteSignature(f, stored.devices.guardian.signPublicKey));
  verifyFavourite(f, roster, stored.devices.toy.deviceId);
  // "let go" under the same signature, or the same instruction offered to another toy, is refused.
  assert.throws(() => verifyFavourite({ ...f, keep: false }, roster, stored.devices.toy.deviceId), /does not verify/);
  assert.throws(() => verifyFavourite(f, roster, stored.devices.grandma.deviceId), /another toy/);
});

test("vector toy succession (§17.6): the toy's new id is its new key's, roster v4 swaps only the toy's entry, and the succession verifies for that step and no other", () => {
  const v2 = parseRoster(stored.rosters.v2);
  const v3 = parseRoster(stored.succession.rosterV3);
  const v4 = parseRoster(stored.toySuccession.rosterV4);
  const next = stored.toySuccession.successor;
  const keys = importDeviceKeys({ v: 1, signSecretKey: next.signSeed, kemSecretKey: next.kemSeed });
  assert.equal(keys.deviceId, next.deviceId);
  assert.ok(verifyDeviceProof({ ...next, purpose: 'toy' }));
  verifyRosterSuccessor(v3, v4);
  assert.deepEqual(
    v4.devices.map((d) => (d.id === next.deviceId ? { ...d, id: stored.devices.toy.deviceId, signPublicKey: stored.devices.toy.signPublicKey, kemPublicKey: stored.devices.toy.kemPublicKey } : d)),
    v3.devices,
  );
  const s = parseSuccession(stored.toySuccession.succession);
  assert.deepEqual([s.from, s.to, s.rosterVersion], [stored.devices.toy.deviceId, next.deviceId, 4]);
  verifySuccession(s, v3, v4);
  // Both successions of the file are accepted over the chain; the toy's offered at step 3 is not.
  const { accepted, refused } = acceptSuccessions([v2, v3, v4], [stored.succession.succession, s, { ...s, rosterVersion: 3 }]);
  assert.deepEqual(accepted.map((a) => a.to), [stored.succession.successor.deviceId, next.deviceId]);
  assert.deepEqual(refused.map((r) => r.reason), ['not_authorized'], 'step 3 does not swap the toy (§17.3 check 2)');
});
