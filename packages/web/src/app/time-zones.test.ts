import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeZoneChoices, timeZoneLabel, zoneCity, zoneOffset } from './time-zones.js';

const WINTER = Date.UTC(2026, 0, 15);
const SUMMER = Date.UTC(2026, 6, 15);

void test('UTC stays selectable and common zones come first, the current and browser zones at the top', () => {
  const { common, groups } = timeZoneChoices('Europe/Berlin', 'Asia/Kathmandu', [
    'Europe/Berlin',
    'Asia/Kathmandu',
    'Africa/Abidjan',
    'Pacific/Fiji',
  ]);
  assert.deepEqual(common.slice(0, 3), ['Asia/Kathmandu', 'Europe/Berlin', 'UTC']);
  assert.ok(common.includes('America/New_York'));
  assert.deepEqual(
    groups.map((g) => [g.label, g.zones]),
    [
      ['Africa', ['Africa/Abidjan']],
      ['Pacific', ['Pacific/Fiji']],
    ],
    'the rest once each, under their region, and not again after the common ones',
  );
});

void test('every zone the runtime knows is offered exactly once, UTC among them', () => {
  const all = Intl.supportedValuesOf('timeZone');
  const { common, groups } = timeZoneChoices('UTC', 'UTC', all);
  const offered = [...common, ...groups.flatMap((g) => g.zones)];
  assert.equal(new Set(offered).size, offered.length);
  for (const zone of all) assert.ok(offered.includes(zone), zone);
  assert.ok(offered.includes('UTC'));
});

void test('zones are grouped by region in the page’s language and sorted by city within it', () => {
  const all = ['Europe/Vienna', 'Europe/Amsterdam', 'America/Argentina/Buenos_Aires', 'America/Anchorage'];
  const en = timeZoneChoices('UTC', 'UTC', all, 'en').groups;
  assert.deepEqual(
    en.map((g) => [g.label, g.zones]),
    [
      ['Europe', ['Europe/Amsterdam', 'Europe/Vienna']],
      ['Americas', ['America/Anchorage', 'America/Argentina/Buenos_Aires']],
    ],
  );
});

void test('a zone reads as its city, its generic name and today’s offset from UTC', () => {
  assert.equal(timeZoneLabel('Europe/Berlin', 'en', WINTER), 'Berlin — Central European Time (UTC+01:00)');
  assert.equal(timeZoneLabel('Europe/Berlin', 'en', SUMMER), 'Berlin — Central European Time (UTC+02:00)');
  assert.equal(timeZoneLabel('Asia/Kolkata', 'en', WINTER), 'Kolkata — India Standard Time (UTC+05:30)');
  assert.equal(timeZoneLabel('America/Los_Angeles', 'en', WINTER), 'Los Angeles — Pacific Time (UTC−08:00)');
  assert.equal(timeZoneLabel('UTC', 'en'), 'UTC (no daylight saving)');
  assert.equal(zoneCity('America/Argentina/Buenos_Aires'), 'Buenos Aires, Argentina');
  assert.equal(zoneOffset('Africa/Abidjan', WINTER), 'UTC+00:00');
  assert.equal(zoneOffset('Not/AZone', WINTER), '');
});

void test('in German the generic name and UTC are German', () => {
  assert.equal(timeZoneLabel('Europe/Berlin', 'de', WINTER), 'Berlin — Mitteleuropäische Zeit (UTC+01:00)');
  assert.equal(timeZoneLabel('UTC', 'de'), 'UTC (keine Sommerzeit)');
  assert.deepEqual(
    timeZoneChoices('UTC', 'UTC', ['Indian/Maldives', 'Europe/Oslo'], 'de').groups.map((g) => g.label),
    ['Europa', 'Indischer Ozean'],
  );
});
