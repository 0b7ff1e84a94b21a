import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeZoneChoices, timeZoneLabel } from './time-zones.js';

test('UTC stays selectable and common zones come first, the current and browser zones at the top', () => {
  const { common, others } = timeZoneChoices('Europe/Berlin', 'Asia/Kathmandu', ['Europe/Berlin', 'Asia/Kathmandu', 'Africa/Abidjan', 'Pacific/Fiji']);
  assert.deepEqual(common.slice(0, 3), ['Asia/Kathmandu', 'Europe/Berlin', 'UTC']);
  assert.ok(common.includes('America/New_York'));
  assert.deepEqual(others, ['Africa/Abidjan', 'Pacific/Fiji'], 'the rest, sorted, each once');
});

test('a zone reads as its city, region and offset', () => {
  assert.equal(timeZoneLabel('Asia/Kolkata', Date.UTC(2026, 0, 1)), 'Kolkata (Asia) · GMT+5:30');
  assert.equal(timeZoneLabel('America/Los_Angeles', Date.UTC(2026, 0, 1)), 'Los Angeles (America) · GMT-8');
  assert.equal(timeZoneLabel('UTC'), 'UTC (no daylight saving)');
});
