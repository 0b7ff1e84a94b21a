/**
 * Deletion instructions (docs/protocol.md §16): the vector verifies from the file alone; the toy's
 * check accepts the sender and a guardian, and refuses everyone else, a forged signature, another
 * message, another family and a signer the roster no longer lists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  generateDeviceKeys,
  Label,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  parseDeletion,
  parseEnvelope,
  parseRoster,
  rosterEntry,
  sealEnvelope,
  signDeletion,
  signRoster,
  transcript,
  verifyDeletion,
  type DeletionWire,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const stored = JSON.parse(readFileSync(new URL('../test-vectors/v1.json', import.meta.url), 'utf8')) as {
  deletion: { instruction: DeletionWire; transcriptHex: string };
  message: { envelope: unknown };
  rosters: { v2: unknown };
  devices: { guardian: { deviceId: string } };
};

test('the vector deletion verifies from the file alone and its transcript matches', () => {
  const d = parseDeletion(stored.deletion.instruction);
  assert.equal(d.signer, stored.devices.guardian.deviceId);
  assert.equal(bytesToHex(transcript(Label.deletion, [d.familyId, d.messageId, d.signer, d.issuedAt])), stored.deletion.transcriptHex);
  verifyDeletion(d, parseEnvelope(stored.message.envelope), parseRoster(stored.rosters.v2));
});

const random = seededRandom('deletion tests');
const mum = generateDeviceKeys(random);
const gran = generateDeviceKeys(random);
const aunt = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const stranger = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const may = { sendToToy: true, hearChild: true };
const roster = signRoster(nextRosterBody(null, familyId, [rosterEntry(mum, 'guardian', may), rosterEntry(gran, 'member', may), rosterEntry(aunt, 'member', may), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 1000), mum);
const withoutMum = { ...roster, devices: roster.devices.filter((d) => d.id !== mum.deviceId) };

test("the sender and a guardian may delete; another member, a stranger, a forgery, another message or family may not", async () => {
  const { envelope } = await sealEnvelope({ kind: 'voice', id: newMessageId(random), familyId, sender: gran, rosterVersion: 1, createdAt: 2000, recipients: [{ deviceId: toy.deviceId, kemPublicKey: toy.kemPublicKey }], meta: {}, payload: new Uint8Array(20), random });
  const at = { familyId, messageId: envelope.id, issuedAt: 3000 };
  verifyDeletion(signDeletion(at, gran), envelope, roster);
  verifyDeletion(signDeletion(at, mum), envelope, roster);
  const refused = (d: DeletionWire, r = roster) => {
    try {
      verifyDeletion(parseDeletion(JSON.parse(JSON.stringify(d))), envelope, r);
      return 'accepted';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  assert.equal(refused(signDeletion(at, aunt)), 'not_authorized', 'a member who did not send it');
  assert.equal(refused(signDeletion(at, stranger)), 'not_authorized', 'not in the roster');
  assert.equal(refused({ ...signDeletion(at, aunt), signer: mum.deviceId }), 'bad_signature', "signed by another key under a guardian's name");
  assert.equal(refused({ ...signDeletion(at, mum), issuedAt: 3001 }), 'bad_signature', 'changed after signing');
  assert.equal(refused(signDeletion({ ...at, messageId: newMessageId(random) }, mum)), 'not_authorized', 'another message');
  assert.equal(refused(signDeletion({ ...at, familyId: newFamilyId(random) }, mum)), 'not_authorized', 'another family');
  assert.equal(refused(signDeletion(at, mum), withoutMum), 'not_authorized', 'a guardian the roster no longer lists');
  assert.throws(() => parseDeletion({ ...signDeletion(at, mum), v: 2 }), /Unsupported/);
  assert.throws(() => parseDeletion({ ...signDeletion(at, mum), signature: 'AAAA' }));
});
