import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionConfigError, defaultAdmission, parseAdmissionConfig } from './admission-config.js';

void test('unset, the admission limit is 256 writes in flight (8 per caller, each body due within 30 s, any request within 300 s), 150 ms of event-loop lag or 32 deliveries being answered (each for 2 s at most), with Retry-After 1 s', () => {
  assert.deepEqual(parseAdmissionConfig({}), defaultAdmission);
  assert.deepEqual(defaultAdmission, {
    maxInflightWrites: 256,
    retryAfterSeconds: 1,
    maxLagMs: 150,
    maxInflightDeliveries: 32,
    maxDeliveryHoldMs: 2000,
    maxInflightWritesPerCaller: 8,
    writeBodyTimeoutMs: 30_000,
    requestTimeoutMs: 300_000,
  });
});

void test('BURROW_MAX_INFLIGHT_WRITES and BURROW_WRITE_RETRY_AFTER_S are taken as given, and nonsense is refused', () => {
  assert.deepEqual(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES: '64', BURROW_WRITE_RETRY_AFTER_S: '5' }), {
    maxInflightWrites: 64,
    retryAfterSeconds: 5,
    maxLagMs: 150,
    maxInflightDeliveries: 32,
    maxDeliveryHoldMs: 2000,
    maxInflightWritesPerCaller: 8,
    writeBodyTimeoutMs: 30_000,
    requestTimeoutMs: 300_000,
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

void test('BURROW_MAX_INFLIGHT_WRITES_PER_CALLER is taken as given, and nonsense (0 included: there is no turning the share off) is refused naming the variable', () => {
  assert.equal(parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES_PER_CALLER: '3' }).maxInflightWritesPerCaller, 3);
  for (const bad of ['0', '-1', '2.5', 'few', '100001'])
    assert.throws(() => parseAdmissionConfig({ BURROW_MAX_INFLIGHT_WRITES_PER_CALLER: bad }), /BURROW_MAX_INFLIGHT_WRITES_PER_CALLER must be an integer from 1 to 100000/);
});

void test('BURROW_WRITE_BODY_TIMEOUT_MS is taken as given, and nonsense (under 1 s, over 10 min, not a whole number) is refused naming the variable', () => {
  assert.equal(parseAdmissionConfig({ BURROW_WRITE_BODY_TIMEOUT_MS: '60000' }).writeBodyTimeoutMs, 60_000);
  for (const bad of ['0', '999', '-1', '1.5', 'slow', '600001'])
    assert.throws(() => parseAdmissionConfig({ BURROW_WRITE_BODY_TIMEOUT_MS: bad }), /BURROW_WRITE_BODY_TIMEOUT_MS must be an integer from 1000 to 600000/);
});

void test('BURROW_REQUEST_TIMEOUT_MS defaults to 300 s, is taken as given, and one shorter than the write body deadline or out of range is refused naming the variable', () => {
  assert.equal(parseAdmissionConfig({}).requestTimeoutMs, 300_000);
  assert.equal(parseAdmissionConfig({ BURROW_REQUEST_TIMEOUT_MS: '45000' }).requestTimeoutMs, 45_000);
  for (const bad of ['0', '999', '1.5', 'slow', '3600001'])
    assert.throws(() => parseAdmissionConfig({ BURROW_REQUEST_TIMEOUT_MS: bad }), /BURROW_REQUEST_TIMEOUT_MS must be an integer from 1000 to 3600000/);
  assert.throws(
    () => parseAdmissionConfig({ BURROW_REQUEST_TIMEOUT_MS: '20000' }),
    /BURROW_REQUEST_TIMEOUT_MS must be at least BURROW_WRITE_BODY_TIMEOUT_MS/,
    'under the default 30 s write body deadline',
  );
  assert.equal(parseAdmissionConfig({ BURROW_REQUEST_TIMEOUT_MS: '20000', BURROW_WRITE_BODY_TIMEOUT_MS: '20000' }).requestTimeoutMs, 20_000);
});
