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
      const windowMs = 300;
      await one.hit('fixed', windowMs);
      await sleep(150);
      assert.equal((await one.hit('fixed', windowMs)).count, 2);
      await sleep(200);
      // 350 ms after the first hit: a sliding or extended window would still count 3.
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

    void test('an empty key or a window that is not a positive integer is refused', async () => {
      await assert.rejects(() => one.hit('', 1000), RangeError);
      for (const ms of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) await assert.rejects(() => one.hit('k', ms), RangeError);
      await assert.rejects(() => one.block('k', 0), RangeError);
    });
  });
}
