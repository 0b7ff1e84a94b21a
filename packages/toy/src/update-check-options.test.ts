import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateChecksFromOptions } from './update-check-options.js';

const HOUR = 60 * 60 * 1000;

void test('update checks are daily by default, off on request, and set in hours by the flag, which wins over the environment', () => {
  assert.deepEqual(updateChecksFromOptions({}, {}), { intervalMs: 24 * HOUR });
  assert.deepEqual(updateChecksFromOptions({}, { BURROW_TOY_UPDATE_CHECK_HOURS: 'off' }), { intervalMs: undefined });
  assert.deepEqual(updateChecksFromOptions({}, { BURROW_TOY_UPDATE_CHECK_HOURS: '6' }), { intervalMs: 6 * HOUR });
  assert.deepEqual(updateChecksFromOptions({ 'update-check-hours': '0.5' }, { BURROW_TOY_UPDATE_CHECK_HOURS: '6' }), { intervalMs: HOUR / 2 });
});

void test('update checks refuse a value that is not a number of hours between a minute and 30 days', () => {
  for (const bad of ['-1', '0', 'daily', '1e3', '721', '0.01', ' '])
    assert.match((updateChecksFromOptions({ 'update-check-hours': bad }, {}) as { error: string }).error, /--update-check-hours must be/, bad);
});
