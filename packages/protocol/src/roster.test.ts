import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceRoster, generateDeviceKeys, isProtocolError, newFamilyId, nextRosterBody, parseRoster, rosterEntry, signRoster, verifyRosterGenesis, verifyRosterSelfSigned, verifyRosterSuccessor, type RosterWire } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('roster tests');
const mum = generateDeviceKeys(random);
const dad = generateDeviceKeys(random);
const stranger = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const g = (k: typeof mum) => rosterEntry(k, 'guardian', { sendToToy: true, hearChild: true });

const v1 = signRoster(nextRosterBody(null, familyId, [g(mum)], 1000), mum);
const v2 = signRoster(nextRosterBody(v1, familyId, [g(mum), g(dad), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 2000), mum);
// Dad removes Mum; from v3 on, Mum's signature no longer counts.
const v3 = signRoster(nextRosterBody(v2, familyId, [g(dad), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 3000), dad);

function rejects(fn: () => void, code: string) {
  assert.throws(fn, (e: unknown) => isProtocolError(e) && e.code === code);
}

test('a genesis roster signed by its own guardian verifies and round-trips through JSON', () => {
  verifyRosterGenesis(parseRoster(JSON.parse(JSON.stringify(v1))));
});

test('a chain of successors verifies step by step', () => {
  assert.equal(advanceRoster(v1, [v2, v3]).version, 3);
});

test('toy refuses a roster signed by a device that is not a guardian of the previous version', () => {
  const forged = signRoster(nextRosterBody(v1, familyId, [g(stranger)], 2000), stranger);
  rejects(() => verifyRosterSuccessor(v1, forged), 'not_authorized');
});

test('toy refuses a roster signed by a removed guardian', () => {
  const byMum = signRoster(nextRosterBody(v3, familyId, [g(mum), g(dad)], 4000), mum);
  rejects(() => verifyRosterSuccessor(v3, byMum), 'not_authorized');
});

test('toy refuses a rollback, a skipped version and a fork', () => {
  rejects(() => verifyRosterSuccessor(v2, v1), 'bad_chain');
  rejects(() => verifyRosterSuccessor(v1, v3), 'bad_chain');
  const fork = signRoster({ ...nextRosterBody(v1, familyId, [g(mum)], 2500), prevHash: v3.prevHash }, mum);
  rejects(() => verifyRosterSuccessor(v1, fork), 'bad_chain');
});

test('a modified roster no longer verifies', () => {
  const tampered: RosterWire = { ...v2, devices: v2.devices.map((d) => ({ ...d, sendToToy: true, role: d.role === 'toy' ? 'toy' : d.role })) };
  tampered.devices[1] = { ...tampered.devices[1]!, hearChild: false };
  rejects(() => verifyRosterSuccessor(v1, tampered), 'bad_signature');
});

test('a roster without a guardian is refused', () => {
  const orphan = signRoster(nextRosterBody(v2, familyId, [rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 3000), mum);
  rejects(() => verifyRosterSuccessor(v2, orphan), 'not_authorized');
  rejects(() => verifyRosterSelfSigned(orphan), 'not_authorized');
});

test('parseRoster rejects malformed input', () => {
  const bad: unknown[] = [null, [], { ...v1, v: 2 }, { ...v1, version: 0 }, { ...v1, devices: [] }, { ...v1, signature: 'x' }, { ...v1, devices: [{ ...v1.devices[0], id: toy.deviceId }] }, { ...v1, devices: [v1.devices[0], v1.devices[0]] }, { ...v1, devices: [{ ...v1.devices[0], role: 'admin' }] }];
  for (const b of bad) assert.throws(() => parseRoster(b), (e: unknown) => isProtocolError(e));
});
