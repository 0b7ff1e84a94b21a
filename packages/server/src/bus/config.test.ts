import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusConfigError, DEFAULT_SUBJECT_PREFIX, parseBusConfig } from './config.js';

void test('without BURROW_NATS_URL the bus is in-process', () => {
  assert.deepEqual(parseBusConfig({}), { kind: 'memory' });
  assert.deepEqual(parseBusConfig({ BURROW_NATS_URL: '  ' }), { kind: 'memory' });
});

void test('BURROW_NATS_URL takes one server or a comma-separated cluster, under the default prefix', () => {
  assert.deepEqual(parseBusConfig({ BURROW_NATS_URL: 'nats://127.0.0.1:4222' }), {
    kind: 'nats',
    servers: ['nats://127.0.0.1:4222'],
    subjectPrefix: DEFAULT_SUBJECT_PREFIX,
  });
  const cluster = parseBusConfig({ BURROW_NATS_URL: 'nats://a:4222, tls://b:4222', BURROW_NATS_SUBJECT_PREFIX: 'prod.eu-1' });
  assert.deepEqual(cluster, { kind: 'nats', servers: ['nats://a:4222', 'tls://b:4222'], subjectPrefix: 'prod.eu-1' });
});

void test('a URL that is not nats:// or tls://, or a prefix with wildcards or spaces, is refused with the fix', () => {
  for (const url of ['127.0.0.1:4222', 'http://a:4222', 'not a url'])
    assert.throws(() => parseBusConfig({ BURROW_NATS_URL: url }), BusConfigError);
  for (const prefix of ['a.*', 'a.>', 'a b', 'a..b', '.a'])
    assert.throws(() => parseBusConfig({ BURROW_NATS_SUBJECT_PREFIX: prefix }), /BURROW_NATS_SUBJECT_PREFIX must be/);
});
