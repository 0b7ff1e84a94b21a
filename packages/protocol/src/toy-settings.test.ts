import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDeviceKeys, isProtocolError, isQuietAt, newFamilyId, nextRosterBody, parseToySettings, rosterEntry, signRoster, signToySettings, verifyToySettings, type ToySettingsBody } from './index.js';
import { seededRandom } from './testing/seeded-random.js';

const random = seededRandom('toy settings tests');
const mum = generateDeviceKeys(random);
const gran = generateDeviceKeys(random);
const toy = generateDeviceKeys(random);
const familyId = newFamilyId(random);
const roster = signRoster(nextRosterBody(null, familyId, [rosterEntry(mum, 'guardian', { sendToToy: true, hearChild: true }), rosterEntry(gran, 'member', { sendToToy: true, hearChild: true }), rosterEntry(toy, 'toy', { sendToToy: false, hearChild: false })], 1000), mum);
const body: ToySettingsBody = { v: 1, familyId, toyId: toy.deviceId, version: 1, issuedAt: 2000, timeZone: 'Europe/Paris', quietHours: { start: 21 * 60, end: 7 * 60 } };

test('quiet hours wrap past midnight in the family time zone (Europe/Paris is UTC+1 in January)', () => {
  const at = (utc: string) => Date.parse(`2027-01-15T${utc}:00Z`);
  assert.equal(isQuietAt(body, at('19:59')), false); // 20:59 in Paris
  assert.equal(isQuietAt(body, at('20:00')), true); // 21:00
  assert.equal(isQuietAt(body, at('05:59')), true); // 06:59
  assert.equal(isQuietAt(body, at('06:00')), false); // 07:00
  assert.equal(isQuietAt({ ...body, quietHours: { start: 13 * 60, end: 15 * 60 } }, at('12:30')), true); // 13:30
  assert.equal(isQuietAt({ ...body, quietHours: null }, at('20:30')), false);
});

test('toy accepts settings signed by a guardian of its roster, newer than the ones it holds', () => {
  const v1 = parseToySettings(JSON.parse(JSON.stringify(signToySettings(body, mum))));
  verifyToySettings(v1, roster, toy.deviceId, null);
  const v2 = signToySettings({ ...body, version: 2, quietHours: null }, mum);
  verifyToySettings(v2, roster, toy.deviceId, v1);
  assert.throws(() => verifyToySettings(v1, roster, toy.deviceId, v2), (e: unknown) => isProtocolError(e, 'bad_chain'));
});

test('toy refuses settings signed by a member, tampered with, or meant for another toy', () => {
  assert.throws(() => verifyToySettings(signToySettings(body, gran), roster, toy.deviceId, null), (e: unknown) => isProtocolError(e, 'not_authorized'));
  const tampered = { ...signToySettings(body, mum), quietHours: null };
  assert.throws(() => verifyToySettings(tampered, roster, toy.deviceId, null), (e: unknown) => isProtocolError(e, 'bad_signature'));
  assert.throws(() => verifyToySettings(signToySettings({ ...body, toyId: gran.deviceId }, mum), roster, toy.deviceId, null), (e: unknown) => isProtocolError(e, 'not_authorized'));
});

test('parseToySettings rejects malformed input', () => {
  const good = signToySettings(body, mum);
  const bad: unknown[] = [null, { ...good, v: 2 }, { ...good, version: 0 }, { ...good, timeZone: 'Mars/Olympus' }, { ...good, quietHours: { start: 60, end: 60 } }, { ...good, quietHours: { start: 1440, end: 0 } }, { ...good, signature: 'x' }];
  for (const b of bad) assert.throws(() => parseToySettings(b), (e: unknown) => isProtocolError(e));
});
