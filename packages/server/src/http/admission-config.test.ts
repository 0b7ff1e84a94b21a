import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionConfigError, defaultAdmission, parseAdmissionConfig } from './admission-config.js';

void test('unset, the admission limit is 256 writes in flight with Retry-After 1 s', () => {
  assert.deepEqual(parseAdmissionConfig({}), defaultAdmission);
  assert.deepEqual(defaultAdmission, { maxInflightWrites: 256, retryAfterSeconds: 1 });
});

void test('BURROW_MAX_INFLIGHT_WRITES and BURROW_WRITE_RETRY_AFTER_S are taken as given, and nonsense is refused', () => {
  assert.deepEqual(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES: '64', BURROW_WRITE_RETRY_AFTER_S: '5' }), {
    maxInflightWrites: 64,
    retryAfterSeconds: 5,
  });
  for (const bad of ['0', '-1', '1.5', 'lots'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES: bad }), AdmissionConfigError);
  assert.throws(() => parseAdmissionConfig({ BURROW_WRITE_RETRY_AFTER_S: '0' }), AdmissionConfigError);
});
