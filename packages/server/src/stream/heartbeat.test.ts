import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHeartbeat, SLOTS } from './heartbeat.js';

/** A socket that records what the heartbeat did to it. */
function fakeSocket() {
  return {
    pings: 0,
    terminated: false,
    ping() {
      this.pings++;
    },
    terminate() {
      this.terminated = true;
    },
  };
}

// The interval is an hour so the timer never fires during the test: tick() is called by hand.
const HOUR = 3_600_000;

void test('each socket is pinged once per interval, its first ping one interval after it was added', () => {
  const heartbeat = createHeartbeat<ReturnType<typeof fakeSocket>>(HOUR);
  try {
    const a = fakeSocket();
    heartbeat.add(a);
    for (let i = 0; i < SLOTS - 1; i++) heartbeat.tick();
    assert.equal(a.pings, 0, 'not before a full interval');
    heartbeat.tick();
    assert.equal(a.pings, 1);
    heartbeat.answered(a);
    for (let i = 0; i < SLOTS; i++) heartbeat.tick();
    assert.equal(a.pings, 2, 'once per interval');
    assert.equal(a.terminated, false);
  } finally {
    heartbeat.stop();
  }
});

void test('a socket that did not answer the last ping is terminated at the next; one that answered is not', () => {
  const heartbeat = createHeartbeat<ReturnType<typeof fakeSocket>>(HOUR);
  try {
    const silent = fakeSocket();
    const chatty = fakeSocket();
    heartbeat.add(silent);
    heartbeat.add(chatty);
    for (let i = 0; i < SLOTS; i++) heartbeat.tick();
    assert.deepEqual([silent.pings, chatty.pings], [1, 1]);
    heartbeat.answered(chatty);
    for (let i = 0; i < SLOTS; i++) heartbeat.tick();
    assert.equal(silent.terminated, true);
    assert.equal(silent.pings, 1, 'terminated, not pinged again');
    assert.equal(chatty.terminated, false);
    assert.equal(chatty.pings, 2);
  } finally {
    heartbeat.stop();
  }
});

void test('a removed socket is neither pinged nor terminated any more', () => {
  const heartbeat = createHeartbeat<ReturnType<typeof fakeSocket>>(HOUR);
  try {
    const gone = fakeSocket();
    heartbeat.add(gone);
    for (let i = 0; i < SLOTS; i++) heartbeat.tick();
    heartbeat.remove(gone);
    for (let i = 0; i < 2 * SLOTS; i++) heartbeat.tick();
    assert.deepEqual([gone.pings, gone.terminated], [1, false]);
  } finally {
    heartbeat.stop();
  }
});
