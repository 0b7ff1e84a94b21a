/** The inactive-families settings (inactivity/config.ts): defaults, overrides, and refusals that say why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../config.js';
import { parseConfig } from '../load-config.js';
import { INACTIVITY_DEFAULTS, parseInactivityConfig } from './config.js';

void test('unset, the periods are 365 and 30 days; set, they are what the operator chose', () => {
  assert.deepEqual(parseInactivityConfig({}), INACTIVITY_DEFAULTS);
  assert.deepEqual(parseInactivityConfig({ BURROW_INACTIVE_FAMILY_DAYS: '730', BURROW_INACTIVE_FAMILY_GRACE_DAYS: '60' }), { inactiveAfterDays: 730, graceDays: 60 });
});

void test('a period too short, fractional or not a number stops the start with the setting named', () => {
  for (const [name, value] of [
    ['BURROW_INACTIVE_FAMILY_DAYS', '7'],
    ['BURROW_INACTIVE_FAMILY_DAYS', '365.5'],
    ['BURROW_INACTIVE_FAMILY_GRACE_DAYS', '1'],
    ['BURROW_INACTIVE_FAMILY_GRACE_DAYS', 'a month'],
  ] as const)
    assert.throws(() => parseConfig({ [name]: value }), (err: unknown) => err instanceof ConfigError && err.message.includes(name), `${name}=${value}`);
});
