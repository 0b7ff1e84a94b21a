/**
 * Favourite instructions (docs/protocol.md §18): a guardian of the roster may tell a toy to keep or
 * forget a message; a member, a stranger, a forgery, another toy or family, or a guardian the roster
 * no longer lists may not; a parser refuses what §18 says it MUST.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  generateDeviceKeys,
  Label,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  parseFavourite,
  rosterEntry,
  signFavourite,
  signRoster,
  transcript,
  verifyFavourite,
  type FavouriteWire,
} from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('favourite tests');
const mum = generateDeviceKeys(random);
const gran = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const otherToy = generateDeviceKeys(random);
const stranger = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const may = { sendToToy: true, hearChild: true };
const none = { sendToToy: false, hearChild: false };
const roster = signRoster(nextRosterBody(null, familyId, [rosterEntry(mum, 'guardian', may), rosterEntry(gran, 'member', may), rosterEntry(toy, 'toy', none), rosterEntry(otherToy, 'toy', none)], 1000), mum);
const withoutMum = { ...roster, devices: roster.devices.filter((d) => d.id !== mum.deviceId) };

test('a guardian may keep and forget; a member, a stranger, a forgery, another toy or family may not', () => {
  const at = { familyId, toyId: toy.deviceId, messageId: newMessageId(random), keep: true, issuedAt: 3000 };
  verifyFavourite(signFavourite(at, mum), roster, toy.deviceId);
  verifyFavourite(signFavourite({ ...at, keep: false }, mum), roster, toy.deviceId);
  const refused = (f: FavouriteWire, r = roster, toyId: string = toy.deviceId) => {
    try {
      verifyFavourite(parseFavourite(JSON.parse(JSON.stringify(f))), r, toyId);
      return 'accepted';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  assert.equal(refused(signFavourite(at, gran)), 'not_authorized', 'a member, even the sender');
  assert.equal(refused(signFavourite(at, stranger)), 'not_authorized', 'not in the roster');
  assert.equal(refused({ ...signFavourite(at, gran), signer: mum.deviceId }), 'bad_signature', "another key under a guardian's name");
  assert.equal(refused({ ...signFavourite(at, mum), keep: false }), 'bad_signature', 'keep flipped after signing');
  assert.equal(refused({ ...signFavourite(at, mum), issuedAt: 3001 }), 'bad_signature', 'changed after signing');
  assert.equal(refused(signFavourite(at, mum), roster, otherToy.deviceId), 'not_authorized', 'meant for another toy');
  assert.equal(refused(signFavourite({ ...at, familyId: newFamilyId(random) }, mum)), 'not_authorized', 'another family');
  assert.equal(refused(signFavourite(at, mum), withoutMum), 'not_authorized', 'a guardian the roster no longer lists');
});

test('the parser refuses another version, a non-boolean keep, a bad counter or a short signature; the transcript has its own label', () => {
  const f = signFavourite({ familyId, toyId: toy.deviceId, messageId: newMessageId(random), keep: true, issuedAt: 5 }, mum);
  assert.throws(() => parseFavourite({ ...f, v: 2 }), /Unsupported/);
  assert.throws(() => parseFavourite({ ...f, keep: 'yes' }), /keep/);
  assert.throws(() => parseFavourite({ ...f, issuedAt: -1 }), /issuedAt/);
  assert.throws(() => parseFavourite({ ...f, signature: 'AAAA' }));
  assert.throws(() => parseFavourite({ ...f, toyId: 'not an id' }));
  const t = transcript(Label.favourite, [f.familyId, f.toyId, f.messageId, f.keep, f.signer, f.issuedAt]);
  assert.ok(bytesToHex(t).startsWith(bytesToHex(new TextEncoder().encode('burrow/v1/favourite\0'))));
});
