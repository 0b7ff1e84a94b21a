import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_VOLUME, generateDeviceKeys, isProtocolError, isQuietAt, reviewedDevices, settingsVolume, newFamilyId, nextRosterBody, parseToySettings, rosterEntry, signRoster, signToySettings, verifyToySettings, type ToySettingsBody } from './index.js';
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

const bodyV2: ToySettingsBody = { ...body, v: 2, version: 2, volume: 30, review: [gran.deviceId] };

test('v2 settings carry volume and the review list; v1 records still verify and read as the defaults', () => {
  const v1 = parseToySettings(JSON.parse(JSON.stringify(signToySettings(body, mum))));
  assert.equal(settingsVolume(v1), DEFAULT_VOLUME);
  assert.deepEqual(reviewedDevices(v1), []);
  assert.equal(settingsVolume(null), DEFAULT_VOLUME);
  const v2 = parseToySettings(JSON.parse(JSON.stringify(signToySettings(bodyV2, mum))));
  verifyToySettings(v2, roster, toy.deviceId, v1);
  assert.equal(settingsVolume(v2), 30);
  assert.deepEqual(reviewedDevices(v2), [gran.deviceId]);
  // Fields a v1 record does not define are not signed, so a parser drops them rather than obey them.
  const padded = parseToySettings({ ...signToySettings(body, mum), volume: 100, review: [gran.deviceId] });
  assert.equal(settingsVolume(padded), DEFAULT_VOLUME);
  assert.deepEqual(reviewedDevices(padded), []);
});

test('a v2 signature covers volume and the review list, and cannot be passed off as v1 (or back)', () => {
  const signed = signToySettings(bodyV2, mum);
  for (const tampered of [{ ...signed, volume: 100 }, { ...signed, review: [] }, { ...signed, v: 1 as const }]) {
    assert.throws(() => verifyToySettings(parseToySettings(tampered), roster, toy.deviceId, null), (e: unknown) => isProtocolError(e, 'bad_signature'));
  }
  const v1 = signToySettings({ ...body, version: 2 }, mum);
  assert.throws(() => verifyToySettings(parseToySettings({ ...v1, v: 2, volume: DEFAULT_VOLUME, review: [] }), roster, toy.deviceId, null), (e: unknown) => isProtocolError(e, 'bad_signature'));
});

test('signing sorts and deduplicates the review list; parseToySettings rejects a bad volume or review list', () => {
  const ids = [toy.deviceId, gran.deviceId, gran.deviceId];
  const signed = signToySettings({ ...bodyV2, review: ids }, mum);
  const sorted = [...new Set(ids)].sort();
  assert.deepEqual(reviewedDevices(signed), sorted);
  const bad: unknown[] = [
    { ...signed, volume: 101 },
    { ...signed, volume: -1 },
    { ...signed, volume: 2.5 },
    { ...signed, volume: undefined },
    { ...signed, review: 'x' },
    { ...signed, review: ['not an id'] },
    { ...signed, review: [gran.deviceId, gran.deviceId] },
    { ...signed, review: [...sorted].reverse() },
    { ...signed, review: Array.from({ length: 257 }, () => gran.deviceId) },
    { ...signed, v: 3 },
  ];
  for (const b of bad) assert.throws(() => parseToySettings(b), (e: unknown) => isProtocolError(e));
});
