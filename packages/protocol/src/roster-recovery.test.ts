import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endorseRecoveryRoster, generateDeviceKeys, isProtocolError, verifyRecoveryStep, newFamilyId, nextRosterBody, rosterEntry, signRoster, verifyRecoveryRoster, verifyRosterSuccessor } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('roster recovery tests');
const lostPhone = generateDeviceKeys(random);
const newPhone = generateDeviceKeys(random);
const grandma = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const guardian = (k: typeof lostPhone) => rosterEntry(k, 'guardian', { sendToToy: true, hearChild: true });
const toyEntry = rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false });
const grandmaEntry = rosterEntry(grandma, 'member', { sendToToy: true, hearChild: false });

const v1 = signRoster(nextRosterBody(null, familyId, [guardian(lostPhone)], 1000), lostPhone);
const v2 = signRoster(nextRosterBody(v1, familyId, [guardian(lostPhone), toyEntry, grandmaEntry], 2000), lostPhone);

function rejects(fn: () => void, code: string) {
  assert.throws(fn, (e: unknown) => isProtocolError(e) && e.code === code);
}

test('a recovery roster seats the new device as guardian and drops the lost one; §4.3 alone refuses it', () => {
  const recovered = signRoster(nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry, grandmaEntry], 3000), newPhone);
  verifyRecoveryRoster(v2, recovered);
  rejects(() => verifyRosterSuccessor(v2, recovered), 'not_authorized');
});

test('a recovery roster may not raise anyone else, add a second device, or break the chain', () => {
  const raised = signRoster(nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry, { ...grandmaEntry, role: 'guardian' }], 3000), newPhone);
  rejects(() => verifyRecoveryRoster(v2, raised), 'not_authorized');
  const stranger = generateDeviceKeys(random);
  const extra = signRoster(nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry, rosterEntry(stranger, 'member', { sendToToy: true, hearChild: true })], 3000), newPhone);
  rejects(() => verifyRecoveryRoster(v2, extra), 'not_authorized');
  const skipped = signRoster({ ...nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry], 3000), version: 4 }, newPhone);
  rejects(() => verifyRecoveryRoster(v2, skipped), 'bad_chain');
  const fromOld = signRoster(nextRosterBody(v1, familyId, [guardian(newPhone)], 3000), newPhone);
  rejects(() => verifyRecoveryRoster(v2, fromOld), 'bad_chain');
  // Signed by a device it lists only as a member: not a guardian of itself.
  const notGuardian = signRoster(nextRosterBody(v2, familyId, [rosterEntry(newPhone, 'member', { sendToToy: true, hearChild: true }), toyEntry], 3000), newPhone);
  rejects(() => verifyRecoveryRoster(v2, notGuardian), 'not_authorized');
});

test('other devices follow a recovery step only with the signature of a toy of the roster before it', () => {
  const recovered = signRoster(nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry, grandmaEntry], 3000), newPhone);
  verifyRecoveryStep(v2, recovered, [endorseRecoveryRoster(toy, recovered)]);
  rejects(() => verifyRecoveryStep(v2, recovered, []), 'not_authorized');
  // Signed by someone else's key, or for another roster.
  rejects(() => verifyRecoveryStep(v2, recovered, [{ ...endorseRecoveryRoster(grandma, recovered), toyId: toy.deviceId }]), 'not_authorized');
  const other = signRoster(nextRosterBody(v2, familyId, [guardian(newPhone), toyEntry], 3000), newPhone);
  rejects(() => verifyRecoveryStep(v2, recovered, [endorseRecoveryRoster(toy, other)]), 'not_authorized');
});
