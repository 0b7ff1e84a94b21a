import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_KEY_PREFIX, LimitsConfigError, parseLimitsConfig } from './config.js';

void test('without BURROW_REDIS_URL the limits stay in-process', () => {
  assert.deepEqual(parseLimitsConfig({}), { redisUrl: null, keyPrefix: DEFAULT_KEY_PREFIX });
});

void test('BURROW_REDIS_URL (redis:// or rediss://) and BURROW_REDIS_KEY_PREFIX are taken as given', () => {
  assert.deepEqual(parseLimitsConfig({ BURROW_REDIS_URL: 'redis://:pw@127.0.0.1:6379/2', BURROW_REDIS_KEY_PREFIX: 'eu1:' }), {
    redisUrl: 'redis://:pw@127.0.0.1:6379/2',
    keyPrefix: 'eu1:',
  });
  assert.equal(parseLimitsConfig({ BURROW_REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl, 'rediss://cache.internal:6380');
});

void test('a bad URL is refused without repeating it (it may hold a password); a bad prefix is refused', () => {
  for (const url of ['http://:secret@host:6379', 'secret-host:6379', 'redis://']) {
    assert.throws(
      () => parseLimitsConfig({ BURROW_REDIS_URL: url }),
      (err: unknown) => err instanceof LimitsConfigError && !err.message.includes('secret') && /BURROW_REDIS_URL must be/.test(err.message),
    );
  }
  for (const prefix of ['', 'has space', 'x'.repeat(65)])
    assert.throws(() => parseLimitsConfig({ BURROW_REDIS_KEY_PREFIX: prefix }), LimitsConfigError);
});
