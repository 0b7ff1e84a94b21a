import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobHash, generateDeviceKeys, isProtocolError, newFamilyId, newMessageId, nextRosterBody, openEnvelope, parseEnvelope, rosterEntry, sealEnvelope, signRoster, toyAdmission, verifyEnvelopeSignature, toBase64url, type EnvelopeWire } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('envelope tests');
const mum = generateDeviceKeys(random);
const granny = generateDeviceKeys(random);
const stranger = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const roster = signRoster(
  nextRosterBody(null, familyId, [rosterEntry(mum, 'guardian', { sendToToy: true, hearChild: true }), rosterEntry(granny, 'member', { sendToToy: false, hearChild: true }), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 1000),
  mum,
);
const audio = random(5000);

async function voice(sender = mum) {
  return sealEnvelope({ kind: 'voice', id: newMessageId(random), familyId, sender, rosterVersion: 1, createdAt: 5000, recipients: [toy, mum].map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })), meta: { senderName: 'Mum', durationMs: 1000 }, payload: audio, random });
}

test('a sealed voice message opens to identical bytes for every recipient', async () => {
  const { envelope, blob } = await voice();
  const parsed = parseEnvelope(JSON.parse(JSON.stringify(envelope)));
  assert.equal(blobHash(blob!), parsed.blob!.hash);
  for (const k of [toy, mum]) {
    const opened = await openEnvelope(parsed, blob, k);
    assert.deepEqual(opened.payload, audio);
    assert.equal(opened.meta.senderName, 'Mum');
  }
});

test('a device that is not a recipient cannot open it', async () => {
  const { envelope, blob } = await voice();
  await assert.rejects(openEnvelope(envelope, blob, granny), (e: unknown) => isProtocolError(e, 'not_authorized'));
  // Even pretending to be a recipient, its key opens nothing.
  const spoofed = { ...granny, deviceId: toy.deviceId };
  await assert.rejects(openEnvelope(envelope, blob, spoofed), (e: unknown) => isProtocolError(e, 'decrypt_failed'));
});

test('the blob ciphertext holds no plaintext run of the audio', async () => {
  const { blob } = await voice();
  const hex = toBase64url(blob!);
  assert.ok(!hex.includes(toBase64url(audio.subarray(0, 48))));
});

test('toy admits a message from a sender with may-send-to-toy', async () => {
  const { envelope } = await voice();
  assert.equal(toyAdmission(envelope, roster, toy.deviceId, () => false), null);
});

test('toy refuses a replay, a sender not in the roster, a sender without may-send-to-toy, and tampering', async () => {
  const { envelope } = await voice();
  assert.equal(toyAdmission(envelope, roster, toy.deviceId, () => true), 'replay');
  assert.equal(toyAdmission((await voice(stranger)).envelope, roster, toy.deviceId, () => false), 'unknown_sender');
  assert.equal(toyAdmission((await voice(granny)).envelope, roster, toy.deviceId, () => false), 'sender_may_not_send');
  const tampered: EnvelopeWire = { ...envelope, createdAt: envelope.createdAt + 1 };
  assert.equal(toyAdmission(tampered, roster, toy.deviceId, () => false), 'bad_signature');
  assert.equal(verifyEnvelopeSignature(tampered, mum.signPublicKey), false);
});

test('a swapped blob is refused with hash_mismatch', async () => {
  const a = await voice();
  const b = await voice();
  await assert.rejects(openEnvelope(a.envelope, b.blob, toy), (e: unknown) => isProtocolError(e, 'hash_mismatch'));
});

test('parseEnvelope rejects malformed input', async () => {
  const { envelope } = await voice();
  const bad: unknown[] = [null, 'x', { ...envelope, v: 0 }, { ...envelope, kind: 'video' }, { ...envelope, recipients: [] }, { ...envelope, blob: null }, { ...envelope, blob: { hash: envelope.blob!.hash, size: 3 * 1024 * 1024 } }, { ...envelope, id: 'short' }, { ...envelope, recipients: [envelope.recipients[0], envelope.recipients[0]] }];
  for (const b of bad) assert.throws(() => parseEnvelope(b), (e: unknown) => isProtocolError(e));
});
