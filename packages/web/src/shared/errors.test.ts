import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '@burrow/client';
import { describeError } from './errors.js';

function withNavigator<T>(onLine: boolean, fn: () => T): T {
  const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { onLine }, configurable: true });
  try {
    return fn();
  } finally {
    if (before) Object.defineProperty(globalThis, 'navigator', before);
    else Reflect.deleteProperty(globalThis, 'navigator');
  }
}

const noAnswer = [new ApiError(0, 'unreachable', 'fetch failed'), new TypeError('Failed to fetch')];

test('an unreachable server with the network up is not blamed on the person’s connection', () => {
  for (const err of noAnswer) {
    const text = withNavigator(true, () => describeError(err));
    assert.match(text, /Cannot reach the Burrow server/);
    assert.doesNotMatch(text, /Check your internet connection/);
  }
});

test('with the browser offline, the connection is what to check', () => {
  for (const err of noAnswer) assert.match(withNavigator(false, () => describeError(err)), /offline\. Check your internet connection/);
});
