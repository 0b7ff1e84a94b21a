import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, sentToyStatus, type SentToyFacts } from './sent-status.js';

const base: SentToyFacts = { toyId: 't1', declined: false, played: false, delivered: false, inReview: false, settings: null };
// 2026-06-01 23:30 UTC: inside 19:00-07:00 quiet hours in UTC, outside them in Tokyo (08:30 the next day).
const lateEvening = Date.UTC(2026, 5, 1, 23, 30);
const nightQuiet = { start: 19 * 60, end: 7 * 60 };

test('a message neither held nor fetched waits on the server', () => {
  assert.deepEqual(sentToyStatus(base, lateEvening), { toyId: 't1', state: 'waiting' });
});

test('during the toy’s signed quiet hours it waits for them to end, with their end in the toy’s zone', () => {
  assert.deepEqual(sentToyStatus({ ...base, settings: { timeZone: 'UTC', quietHours: nightQuiet } }, lateEvening), {
    toyId: 't1',
    state: 'quiet_hours',
    quietUntil: '07:00',
  });
  assert.equal(sentToyStatus({ ...base, settings: { timeZone: 'Asia/Tokyo', quietHours: nightQuiet } }, lateEvening).state, 'waiting');
});

test('a review hold comes before quiet hours; receipts come before holds; declined before all', () => {
  const quiet = { timeZone: 'UTC', quietHours: nightQuiet };
  assert.equal(sentToyStatus({ ...base, inReview: true, settings: quiet }, lateEvening).state, 'review');
  assert.equal(sentToyStatus({ ...base, delivered: true, settings: quiet }, lateEvening).state, 'delivered');
  assert.equal(sentToyStatus({ ...base, delivered: true, played: true }, lateEvening).state, 'played');
  assert.equal(sentToyStatus({ ...base, inReview: true, declined: true }, lateEvening).state, 'declined');
});

test('clock times are two-digit hours and minutes', () => {
  assert.equal(clockTime(7 * 60), '07:00');
  assert.equal(clockTime(23 * 60 + 5), '23:05');
});
