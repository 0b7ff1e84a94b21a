/** Identity succession (docs/protocol.md §17): the vector from the file alone, and every refusal. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  acceptSuccessions,
  countersignSuccession,
  deviceKeysFromSeeds,
  findDevice,
  fromBase64url,
  importDeviceKeys,
  isProtocolError,
  nextRosterBody,
  parseEnvelope,
  parseRoster,
  parseSuccession,
  parseSuccessionRequest,
  sealEnvelope,
  signRoster,
  signSuccessionRequest,
  successorEntry,
  toyAdmission,
  verifyRosterSuccessor,
  verifySuccession,
  verifySuccessionRequest,
  type DeviceKeys,
  type MessageId,
  type RosterWire,
  type SuccessionWire,
} from './index.js';
import { Label, transcript } from './transcript.js';
import { seededRandom } from './testing/seeded-random.js';
import type { Vectors } from './testing/vectors.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as Vectors;
const keysOf = (d: { signSeed: string; kemSeed: string }): DeviceKeys => importDeviceKeys({ v: 1, signSecretKey: d.signSeed, kemSecretKey: d.kemSeed });
const guardian = keysOf(stored.devices.guardian);
const grandma = keysOf(stored.devices.grandma);
const renewed = keysOf(stored.succession.successor);
const v2 = parseRoster(stored.rosters.v2);
const v3 = parseRoster(stored.succession.rosterV3);
const good = parseSuccession(stored.succession.succession);

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isProtocolError(err)) return err.code;
    throw err;
  }
  return 'accepted';
};

test('the vector succession verifies from the file alone: both identities signed the recorded transcript, the guardian countersigned', () => {
  assert.equal(renewed.deviceId, stored.succession.successor.deviceId);
  const bytes = transcript(Label.succession, [good.familyId, good.from, good.to, fromBase64url(good.toSignPublicKey, 32), fromBase64url(good.toKemPublicKey, 32), good.issuedAt]);
  assert.equal(bytesToHex(bytes), stored.succession.requestTranscriptHex);
  verifyRosterSuccessor(v2, v3);
  verifySuccession(good, v2, v3);
  assert.equal(findDevice(v3, grandma.deviceId), undefined);
  assert.deepEqual(findDevice(v3, renewed.deviceId), { ...findDevice(v2, grandma.deviceId)!, id: renewed.deviceId, signPublicKey: good.toSignPublicKey, kemPublicKey: good.toKemPublicKey });
  assert.deepEqual(acceptSuccessions([v2, v3], [stored.succession.succession]), { accepted: [good], refused: [] });
});

test('a succession not countersigned by a guardian of the previous roster, or by another device than the roster signer, is refused', () => {
  // Grandma (a member) countersigns her own request: not a guardian.
  assert.equal(code(() => verifySuccession(countersignSuccession(good, 3, grandma), v2, v3)), 'not_authorized');
  // A countersignature that does not verify under the guardian's key.
  const forged: SuccessionWire = { ...good, guardianSignature: good.fromSignature };
  assert.equal(code(() => verifySuccession(forged, v2, v3)), 'bad_signature');
  assert.deepEqual(acceptSuccessions([v2, v3], [forged]).refused, [{ from: grandma.deviceId, reason: 'bad_signature' }]);
});

test('a succession not cross-signed by the old identity (or not by the new one) is refused', () => {
  const thief = deviceKeysFromSeeds(seededRandom('thief sign')(32), seededRandom('thief kem')(32));
  // Someone holding only a new key asks to take grandma's place: the old key never signed.
  const fake = signSuccessionRequest({ familyId: v2.familyId, issuedAt: good.issuedAt }, thief, renewed);
  const claimed = { ...fake, from: grandma.deviceId };
  assert.equal(code(() => verifySuccessionRequest(claimed, v2)), 'bad_signature');
  assert.equal(code(() => verifySuccession(countersignSuccession(claimed, 3, guardian), v2, v3)), 'bad_signature');
  // The old key signed, but the new key's signature is missing (replaced by the old one's).
  assert.equal(code(() => verifySuccession(countersignSuccession({ ...good, toSignature: good.fromSignature }, 3, guardian), v2, v3)), 'bad_signature');
});

test('a succession replayed at another roster step, or after the old device has gone, is refused', () => {
  // The same accepted succession offered for the next step (v3 -> v4): it names version 3.
  const v4 = signRoster(nextRosterBody(v3, v3.familyId, v3.devices, v3.issuedAt + 1), guardian);
  assert.equal(code(() => verifySuccession(good, v3, v4)), 'bad_chain');
  // Re-signed by the guardian for v4, it still fails: grandma's old id is no longer listed in v3.
  assert.equal(code(() => verifySuccession(countersignSuccession(good, 4, guardian), v3, v4)), 'not_authorized');
  // A request the old key signs after the change is refused: the old identity has no place left.
  const again = signSuccessionRequest({ familyId: v3.familyId, issuedAt: good.issuedAt + 1 }, grandma, deviceKeysFromSeeds(seededRandom('g3 sign')(32), seededRandom('g3 kem')(32)));
  assert.equal(code(() => verifySuccessionRequest(again, v3)), 'not_authorized');
  // Offered with only rosters that do not contain the named step.
  assert.deepEqual(acceptSuccessions([v3, v4], [good]).refused, [{ from: grandma.deviceId, reason: 'bad_chain' }]);
});

test('a roster step that changes the successor\'s rights or keys is not a succession', () => {
  const promoted = signRoster(
    nextRosterBody(v2, v2.familyId, v2.devices.map((d) => (d.id === grandma.deviceId ? { ...successorEntry(good, d), role: 'guardian' as const } : d)), v3.issuedAt),
    guardian,
  );
  assert.equal(code(() => verifySuccession(good, v2, promoted)), 'not_authorized');
  // A roster that keeps the old id as well does not swap them.
  const both = signRoster(nextRosterBody(v2, v2.familyId, [...v2.devices, successorEntry(good, findDevice(v2, grandma.deviceId)!)], v3.issuedAt), guardian);
  assert.equal(code(() => verifySuccession(good, v2, both)), 'not_authorized');
});

test('parsers reject a successor id not derived from its key, the same identity twice and a wrong version tag', () => {
  const raw = stored.succession.succession as unknown as Record<string, unknown>;
  assert.equal(code(() => parseSuccessionRequest({ ...raw, to: grandma.deviceId })), 'malformed');
  assert.equal(code(() => parseSuccessionRequest({ ...raw, v: 2 })), 'unsupported_version');
  assert.equal(code(() => parseSuccession({ ...raw, rosterVersion: 1 })), 'malformed');
  assert.equal(code(() => signSuccessionRequest({ familyId: v2.familyId, issuedAt: 1 }, grandma, grandma)), 'malformed');
});

test('after the succession the old identity key signs nothing a toy accepts: a message from it is refused', async () => {
  const toy = keysOf(stored.devices.toy);
  const sealed = await sealEnvelope({
    kind: 'voice',
    id: 'AAAAAAAAAAAAAAAAAAAAAA' as MessageId,
    familyId: v3.familyId,
    sender: grandma,
    rosterVersion: 3,
    createdAt: v3.issuedAt + 1,
    recipients: [{ deviceId: toy.deviceId, kemPublicKey: toy.kemPublicKey }],
    meta: {},
    payload: new Uint8Array(100),
    random: seededRandom('after'),
  });
  assert.equal(toyAdmission(parseEnvelope(sealed.envelope), v3, toy.deviceId, () => false), 'unknown_sender');
  // Nor can the old key sign a roster: it is no guardian, and not even listed.
  const rogue: RosterWire = signRoster(nextRosterBody(v3, v3.familyId, v3.devices, v3.issuedAt + 2), grandma);
  assert.equal(code(() => verifyRosterSuccessor(v3, rogue)), 'not_authorized');
});
