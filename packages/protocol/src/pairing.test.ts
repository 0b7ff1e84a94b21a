import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPairingCode, generateDeviceKeys, generatePairingCode, isProtocolError, newFamilyId, nextRosterBody, pairingKey, parsePairingCode, rosterEntry, rosterTag, signRoster, toBase64url, toyKeysTag, verifyRosterTag, verifyToyKeysTag } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('pairing tests');

test('a pairing code survives formatting and sloppy typing', () => {
  const code = generatePairingCode(random);
  const typed = formatPairingCode(code).toLowerCase().replace(/-/g, ' ');
  assert.deepEqual(parsePairingCode(typed), code);
  assert.throws(() => parsePairingCode('ABC'), (e: unknown) => isProtocolError(e, 'bad_pairing_code'));
  assert.throws(() => parsePairingCode('UUUUUU-UUUU-UUUU-UUUU'), (e: unknown) => isProtocolError(e, 'bad_pairing_code'));
});

test('a server that swaps the toy keys is caught by the guardian', () => {
  const code = generatePairingCode(random);
  const key = pairingKey(code);
  const toy = generateDeviceKeys(random);
  const evil = generateDeviceKeys(random);
  const pub = (k: typeof toy) => ({ toyId: k.deviceId, signPublicKey: toBase64url(k.signPublicKey), kemPublicKey: toBase64url(k.kemPublicKey) });
  const tag = toyKeysTag(key, pub(toy));
  verifyToyKeysTag(key, pub(toy), tag);
  assert.throws(() => verifyToyKeysTag(key, pub(evil), tag), (e: unknown) => isProtocolError(e, 'bad_pairing_tag'));
});

test('a server that swaps the guardian in the pinned roster is caught by the toy', () => {
  const code = generatePairingCode(random);
  const key = pairingKey(code);
  const mum = generateDeviceKeys(random);
  const server = generateDeviceKeys(random);
  const toy = generateDeviceKeys(random);
  const familyId = newFamilyId(random);
  const entries = (g: typeof mum) => [rosterEntry(g, 'guardian', { sendToToy: true, hearChild: true }), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })];
  const real = signRoster(nextRosterBody(null, familyId, entries(mum), 1), mum);
  const tag = rosterTag(key, toy.deviceId, real);
  verifyRosterTag(key, toy.deviceId, real, tag);
  const swapped = signRoster(nextRosterBody(null, familyId, entries(server), 1), server);
  assert.throws(() => verifyRosterTag(key, toy.deviceId, swapped, tag), (e: unknown) => isProtocolError(e, 'bad_pairing_tag'));
  // Without the secret the server cannot make a matching tag: a wrong secret gives a different key.
  const guess = pairingKey({ lookup: code.lookup, secret: '000000000000' });
  assert.throws(() => verifyRosterTag(key, toy.deviceId, swapped, rosterTag(guess, toy.deviceId, swapped)), (e: unknown) => isProtocolError(e, 'bad_pairing_tag'));
});
