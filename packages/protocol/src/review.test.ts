import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  generateDeviceKeys,
  isProtocolError,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  parseReview,
  reviewAdmission,
  rosterEntry,
  sealEnvelope,
  signReview,
  signRoster,
  signToySettings,
  toyAdmission,
  verifyReview,
  type DeviceKeys,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('review tests');
const mum = generateDeviceKeys(random);
const dad = generateDeviceKeys(random);
const gran = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const toy2 = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const member = { sendToToy: true, hearChild: true };
const v1 = signRoster(nextRosterBody(null, familyId, [rosterEntry(mum, 'guardian', member), rosterEntry(dad, 'guardian', member), rosterEntry(gran, 'member', member), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false }), rosterEntry(toy2, 'toy', { sendToToy: false, hearChild: false })], 1000), mum);
// Dad removed in version 2.
const v2 = signRoster(nextRosterBody(v1, familyId, v1.devices.filter((d) => d.id !== dad.deviceId), 2000), mum);
const settings = signToySettings({ v: 2, familyId, toyId: toy.deviceId, version: 1, issuedAt: 1500, timeZone: 'UTC', quietHours: null, volume: 70, review: [gran.deviceId] }, mum);

async function voice(from: DeviceKeys, bytes = 100) {
  const { envelope } = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(random),
    familyId,
    sender: from,
    rosterVersion: 1,
    createdAt: 3000,
    recipients: [toy, toy2, mum].map((d) => ({ deviceId: d.deviceId, kemPublicKey: d.kemPublicKey })),
    meta: {},
    payload: random(bytes),
    random,
  });
  return envelope;
}

test("a guardian's review admits exactly the message it was signed for, for that toy", async () => {
  const envelope = await voice(gran);
  const review = parseReview(JSON.parse(JSON.stringify(signReview(envelope, toy.deviceId, mum))));
  verifyReview(review, envelope, v2, toy.deviceId);
  assert.equal(toyAdmission(envelope, v2, toy.deviceId, () => false, { settings, review }), null);
  assert.equal(toyAdmission(envelope, v2, toy.deviceId, () => false, { settings, review: null }), 'not_reviewed');
  // Not for the other toy, and not for another message, even another one from the same sender.
  assert.throws(() => verifyReview(review, envelope, v2, toy2.deviceId), (e: unknown) => isProtocolError(e, 'not_authorized'));
  const other = await voice(gran);
  assert.equal(reviewAdmission(other, v2, toy.deviceId, { settings, review }), 'bad_review');
  assert.equal(reviewAdmission(other, v2, toy.deviceId, { settings, review: { ...review, messageId: other.id } }), 'bad_review');
});

test('a review signed for the id a toy renewed to stands for an envelope addressed to its former id, only when the toy names that id (§17.6)', async () => {
  const envelope = await voice(gran);
  // The toy was `toy` when the message was sealed and is `toy2` now; the guardian signed for `toy2`.
  const review = signReview(envelope, toy2.deviceId, mum);
  assert.equal(reviewAdmission(envelope, v2, toy.deviceId, { settings, review, renewedId: toy2.deviceId }), null);
  assert.equal(reviewAdmission(envelope, v2, toy.deviceId, { settings, review }), 'bad_review', 'not without the toy saying it renewed to that id');
  assert.equal(reviewAdmission(envelope, v2, toy.deviceId, { settings, review, renewedId: mum.deviceId }), 'bad_review', 'nor for another id');
  // The review signed for the former id still counts.
  assert.equal(reviewAdmission(envelope, v2, toy.deviceId, { settings, review: signReview(envelope, toy.deviceId, mum), renewedId: toy2.deviceId }), null);
});

test('a review by a member, by a removed guardian, or tampered with is refused', async () => {
  const envelope = await voice(gran);
  assert.throws(() => verifyReview(signReview(envelope, toy.deviceId, gran), envelope, v2, toy.deviceId), (e: unknown) => isProtocolError(e, 'not_authorized'));
  const byDad = signReview(envelope, toy.deviceId, dad);
  verifyReview(byDad, envelope, v1, toy.deviceId); // while dad was a guardian
  assert.throws(() => verifyReview(byDad, envelope, v2, toy.deviceId), (e: unknown) => isProtocolError(e, 'not_authorized'));
  const signature = signReview(envelope, toy.deviceId, mum).signature;
  const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
  assert.throws(() => verifyReview({ ...signReview(envelope, toy.deviceId, mum), signature: flipped }, envelope, v2, toy.deviceId), (e: unknown) => isProtocolError(e));
});

test('a second envelope with the same id (same sender) is not covered by the review of the first', async () => {
  const first = await voice(gran);
  const twin = { ...(await voice(gran, 120)), id: first.id };
  // The twin's signature is gran's over other content; the review binds the first's blob hash and signature.
  assert.equal(reviewAdmission(twin, v2, toy.deviceId, { settings, review: signReview(first, toy.deviceId, mum) }), 'bad_review');
});

test('senders not under review need no review; settings without a review list need none', async () => {
  const fromMum = await voice(mum);
  assert.equal(reviewAdmission(fromMum, v2, toy.deviceId, { settings, review: null }), null);
  const fromGran = await voice(gran);
  assert.equal(reviewAdmission(fromGran, v2, toy.deviceId, { settings: null, review: null }), null);
});

test('parseReview rejects malformed input', () => {
  const good = { v: 1, familyId, toyId: toy.deviceId, messageId: newMessageId(random), signer: mum.deviceId, signature: 'A'.repeat(86) };
  parseReview(good);
  for (const bad of [null, [], { ...good, v: 2 }, { ...good, toyId: 'x' }, { ...good, messageId: 7 }, { ...good, signature: 'short' }]) {
    assert.throws(() => parseReview(bad), (e: unknown) => isProtocolError(e));
  }
});
