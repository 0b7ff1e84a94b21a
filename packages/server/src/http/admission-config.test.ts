import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionConfigError, defaultAdmission, parseAdmissionConfig } from './admission-config.js';

void test('unset, the admission limit is 256 writes in flight, 150 ms of event-loop lag or 32 deliveries being answered (each for 2 s at most), with Retry-After 1 s', () => {
  assert.deepEqual(parseAdmissionConfig({}), defaultAdmission);
  assert.deepEqual(defaultAdmission, { maxInflightWrites: 256, retryAfterSeconds: 1, maxLagMs: 150, maxInflightDeliveries: 32, maxDeliveryHoldMs: 2000 });
});

void test('BURROW_MAX_INFLIGHT_WRITES and BURROW_WRITE_RETRY_AFTER_S are taken as given, and nonsense is refused', () => {
  assert.deepEqual(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES: '64', BURROW_WRITE_RETRY_AFTER_S: '5' }), {
    maxInflightWrites: 64,
    retryAfterSeconds: 5,
    maxLagMs: 150,
    maxInflightDeliveries: 32,
    maxDeliveryHoldMs: 2000,
  });
  for (const bad of ['0', '-1', '1.5', 'lots'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES: bad }), AdmissionConfigError);
  assert.throws(() => parseAdmissionConfig({ BURROW_WRITE_RETRY_AFTER_S: '0' }), AdmissionConfigError);
});

void test('BURROW_MAX_EVENT_LOOP_LAG_MS is taken as given, 0 turns it off, and nonsense is refused', () => {
  assert.equal(parseAdmissionConfig({ BURROW_MAX_EVENT_LOOP_LAG_MS: '400' }).maxLagMs, 400);
  assert.equal(parseAdmissionConfig({ BURROW_MAX_EVENT_LOOP_LAG_MS: '0' }).maxLagMs, 0);
  for (const bad of ['-1', '2.5', 'soon', '60001'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_EVENT_LOOP_LAG_MS: bad }), AdmissionConfigError);
});

void test('BURROW_MAX_INFLIGHT_DELIVERIES is taken as given, 0 turns it off, and nonsense is refused', () => {
  assert.equal(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_DELIVERIES: '8' }).maxInflightDeliveries, 8);
  assert.equal(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_DELIVERIES: '0' }).maxInflightDeliveries, 0);
  for (const bad of ['-1', '1.5', 'many'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_INFLIGHT_DELIVERIES: bad }), AdmissionConfigError);
});

void test('BURROW_MAX_DELIVERY_HOLD_MS is taken as given, and nonsense (0 included: a delivery must count a moment) is refused', () => {
  assert.equal(parseAdmissionConfig({ BURROW_MAX_DELIVERY_HOLD_MS: '500' }).maxDeliveryHoldMs, 500);
  for (const bad of ['0', '-1', '1.5', 'long', '600001'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_DELIVERY_HOLD_MS: bad }), AdmissionConfigError);
});
