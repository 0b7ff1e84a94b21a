/**
 * The LimitStore contract, run against both adapters: memory and Redis (the real server on
 * 127.0.0.1:6379, as on every machine and in CI). Each run uses its own key prefix, so parallel runs
 * never share a counter. "Two nodes" are two Redis clients, and the one store in memory. Windows are
 * a few hundred ms of real time: Redis keeps its own clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import type { LimitStore } from './limit-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { createRedisClient } from './redis-client.js';
import { createRedisLimitStore } from './redis-limit-store.js';

const REDIS_URL = process.env.BURROW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quietLog = { info: () => undefined, warn: () => undefined };

interface Nodes {
  readonly one: LimitStore;
  readonly two: LimitStore;
  readonly close: () => Promise<void>;
}

const adapters: { name: string; open(): Nodes }[] = [
  {
    name: 'memory',
    open() {
      const store = createMemoryLimitStore();
      return { one: store, two: store, close: () => store.close() };
    },
  },
  {
    name: 'redis',
    open() {
      const keyPrefix = `burrow-test:${String(process.pid)}-${randomUUID().slice(0, 8)}:`;
      const one = createRedisLimitStore({ redis: createRedisClient(REDIS_URL, quietLog), keyPrefix });
      const two = createRedisLimitStore({ redis: createRedisClient(REDIS_URL, quietLog), keyPrefix });
      return {
        one,
        two,
        close: async () => {
          await Promise.all([one.close(), two.close()]);
        },
      };
    },
  },
];

for (const adapter of adapters) {
  void describe(`LimitStore contract: ${adapter.name}`, () => {
    const { one, two, close } = adapter.open();
    after(close);

    void test('hits are counted per key within the window, and the window says how long it has left', async () => {
      const windowMs = 60_000;
      assert.equal((await one.hit('k1', windowMs)).count, 1);
      assert.equal((await one.hit('k1', windowMs)).count, 2);
      assert.equal((await one.hit('k2', windowMs)).count, 1);
      const third = await one.hit('k1', windowMs);
      assert.equal(third.count, 3);
      assert.ok(third.resetInMs > 0 && third.resetInMs <= windowMs, `resetInMs ${String(third.resetInMs)}`);
    });

    void test('every node counts in the same window', async () => {
      assert.equal((await one.hit('shared', 60_000)).count, 1);
      assert.equal((await two.hit('shared', 60_000)).count, 2);
      assert.equal((await one.hit('shared', 60_000)).count, 3);
    });

    void test('concurrent hits are each counted once', async () => {
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).hit('burst', 60_000)));
      assert.deepEqual(
        hits.map((h) => h.count).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    });

    void test('the window is fixed from its first hit: the count restarts when it ends, later hits do not extend it', async () => {
      // Wide margins of real time (Redis keeps its own clock): a loaded CI machine can stall a
      // timer by hundreds of ms, which flaked this test with a 300 ms window.
      const windowMs = 2000;
      const before = Date.now();
      await one.hit('fixed', windowMs);
      const opened = Date.now(); // the window opened between `before` and now
      await sleep(1000);
      const second = await one.hit('fixed', windowMs);
      if (Date.now() - before < windowMs - 100) assert.equal(second.count, 2);
      await sleep(Math.max(0, opened + windowMs + 100 - Date.now()));
      // Past the first hit's window, though within one of the second: a sliding or extended window would still count.
      assert.equal((await one.hit('fixed', windowMs)).count, 1);
    });

    void test('a block lasts its time on every node, and reset clears count and block', async () => {
      assert.equal(await two.blockedFor('who'), 0);
      await one.block('who', 60_000);
      const left = await two.blockedFor('who');
      assert.ok(left > 59_000 && left <= 60_000, `blockedFor ${String(left)}`);
      await one.hit('who', 60_000);
      await two.reset('who');
      assert.equal(await one.blockedFor('who'), 0);
      assert.equal((await one.hit('who', 60_000)).count, 1);
      await one.block('brief', 100);
      await sleep(150);
      assert.equal(await two.blockedFor('brief'), 0);
    });

    void test('a block carries its reason to every node until it ends or is reset; the last word wins', async () => {
      assert.equal(await two.blocked('why'), null);
      await one.block('why', 60_000, 'cross-family-access');
      const seen = await two.blocked('why');
      assert.equal(seen?.reason, 'cross-family-access');
      assert.ok(seen.ms > 59_000 && seen.ms <= 60_000, `ms ${String(seen.ms)}`);
      await two.block('why', 30_000, 'read-volume');
      const again = await one.blocked('why');
      assert.equal(again?.reason, 'read-volume');
      assert.ok(again.ms <= 30_000);
      await one.block('plain', 60_000);
      assert.equal((await two.blocked('plain'))?.reason, 'blocked');
      await two.reset('why');
      assert.equal(await one.blocked('why'), null);
    });

    void test('an empty key or a window that is not a positive integer is refused', async () => {
      await assert.rejects(() => one.hit('', 1000), RangeError);
      for (const ms of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) await assert.rejects(() => one.hit('k', ms), RangeError);
      await assert.rejects(() => one.block('k', 0), RangeError);
    });
  });
}

void test('the memory store forgets its oldest window past maxKeys, so a flood of addresses stays bounded', async () => {
  const store = createMemoryLimitStore(undefined, 3);
  for (const key of ['a', 'b', 'c']) await store.hit(key, 60_000);
  assert.equal((await store.hit('c', 60_000)).count, 2, 'within the bound, counts are kept');
  await store.hit('d', 60_000); // a fourth key: the oldest window (a) goes
  assert.equal((await store.hit('a', 60_000)).count, 1, 'a was forgotten');
  assert.equal((await store.hit('c', 60_000)).count, 3, 'c is still counted');
});
