import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from './bus.js';
import { createMemoryBus } from './memory-bus.js';

test('subscribers of a topic receive its events, and only its events', () => {
  const bus = createMemoryBus();
  const a: StreamEvent[] = [];
  const b: StreamEvent[] = [];
  bus.subscribe('device:a', (e) => a.push(e));
  bus.subscribe('device:b', (e) => b.push(e));
  bus.publish('device:a', { type: 'message', seq: 1 });
  assert.deepEqual(a, [{ type: 'message', seq: 1 }]);
  assert.deepEqual(b, []);
});

test('unsubscribe stops delivery; the same handler subscribed twice is two subscriptions', () => {
  const bus = createMemoryBus();
  const got: StreamEvent[] = [];
  const handler = (e: StreamEvent) => void got.push(e);
  const first = bus.subscribe('t', handler);
  const second = bus.subscribe('t', handler);
  bus.publish('t', { type: 'pairing' });
  assert.equal(got.length, 2);
  first();
  bus.publish('t', { type: 'pairing' });
  assert.equal(got.length, 3);
  second();
  bus.publish('t', { type: 'pairing' });
  assert.equal(got.length, 3);
});

test('a failing handler neither fails the publisher nor starves other handlers', () => {
  const errors: unknown[] = [];
  const bus = createMemoryBus((err) => errors.push(err));
  const got: StreamEvent[] = [];
  bus.subscribe('t', () => {
    throw new Error('boom');
  });
  bus.subscribe('t', (e) => got.push(e));
  bus.publish('t', { type: 'pairing' });
  assert.equal(got.length, 1);
  assert.equal(errors.length, 1);
});
