import assert from 'node:assert/strict';
import { test } from 'node:test';
import { i18n } from '../i18n/index.js';
import {
  clockHas12Hours,
  clockParts,
  formatClock,
  formatDate,
  formatDateTime,
  formatTime,
  setFamilyTimeZone,
} from './date-time.js';

// 1 December 2026, 14:04 UTC: 15:04 in Berlin, 09:04 in New York.
const at = Date.UTC(2026, 11, 1, 14, 4);

void test('one date and time format per language, in the family’s time zone', async () => {
  setFamilyTimeZone('Europe/Berlin');
  await i18n.changeLanguage('de');
  try {
    assert.equal(formatDateTime(at), '01.12.2026, 15:04');
    assert.equal(formatDate(at), '01.12.2026');
    assert.equal(formatTime(at, at + 60_000), '15:04');
    await i18n.changeLanguage('en');
    assert.match(formatDateTime(at), /^Dec 1, 2026, 3:04\sPM$/);
    setFamilyTimeZone('America/New_York');
    assert.match(formatDateTime(at), /^Dec 1, 2026, 9:04\sAM$/);
  } finally {
    await i18n.changeLanguage('en');
  }
});

void test('today shows the time alone; another day, date and time', () => {
  setFamilyTimeZone('UTC');
  assert.match(formatTime(at, at + 3_600_000), /^2:04\sPM$/);
  assert.match(formatTime(at, at + 86_400_000), /^Dec 1, 2026, 2:04\sPM$/);
});

void test('an unknown time zone name is ignored', () => {
  setFamilyTimeZone('UTC');
  setFamilyTimeZone('Not/AZone');
  assert.match(formatDateTime(at), /2:04\sPM$/);
});

void test('a quiet-hours clock time follows the language’s 12- or 24-hour style, whatever the zone', async () => {
  setFamilyTimeZone('America/New_York');
  assert.match(formatClock('07:00'), /^7:00\sAM$/);
  assert.match(formatClock('19:30'), /^7:30\sPM$/);
  await i18n.changeLanguage('de');
  try {
    assert.equal(formatClock('07:00'), '07:00');
    assert.equal(formatClock('19:30'), '19:30');
  } finally {
    await i18n.changeLanguage('en');
  }
  assert.equal(formatClock('later'), 'later');
});

void test('the hour/minute control’s parts are formatClock’s, in its order: AM/PM only where the language shows it', async () => {
  const text = (minute: number) => clockParts(minute).map((p) => p.value).join('');
  const types = (minute: number) => clockParts(minute).filter((p) => p.type !== 'literal').map((p) => p.type);
  assert.equal(clockHas12Hours(), true);
  assert.equal(text(19 * 60 + 5), formatClock('19:05'));
  assert.deepEqual(types(19 * 60 + 5), ['hour', 'minute', 'dayPeriod']);
  assert.deepEqual(
    clockParts(0).filter((p) => p.type !== 'literal').map((p) => p.value),
    ['12', '00', 'AM'],
  );
  await i18n.changeLanguage('de');
  try {
    assert.equal(clockHas12Hours(), false);
    assert.equal(text(19 * 60 + 5), '19:05');
    assert.deepEqual(types(7 * 60), ['hour', 'minute']);
    assert.equal(text(7 * 60), formatClock('07:00'));
  } finally {
    await i18n.changeLanguage('en');
  }
});
