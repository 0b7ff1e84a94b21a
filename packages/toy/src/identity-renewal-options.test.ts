import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityRenewalFromOptions } from './identity-renewal-options.js';

const DAY = 24 * 60 * 60 * 1000;

void test('identity renewal is off by default and set in days by the flag, which wins over the environment', () => {
  assert.deepEqual(identityRenewalFromOptions({}, {}), { intervalMs: undefined });
  assert.deepEqual(identityRenewalFromOptions({}, { BURROW_TOY_IDENTITY_RENEWAL_DAYS: 'off' }), { intervalMs: undefined });
  assert.deepEqual(identityRenewalFromOptions({}, { BURROW_TOY_IDENTITY_RENEWAL_DAYS: '365' }), { intervalMs: 365 * DAY });
  assert.deepEqual(identityRenewalFromOptions({ 'identity-renewal-days': '0.5' }, { BURROW_TOY_IDENTITY_RENEWAL_DAYS: '365' }), { intervalMs: DAY / 2 });
});

void test('identity renewal refuses a value that is not a number of days between a minute and ten years', () => {
  for (const bad of ['-1', '0', 'yearly', '1e3', '4000', ' ']) assert.ok('error' in identityRenewalFromOptions({ 'identity-renewal-days': bad }, {}), bad);
});
