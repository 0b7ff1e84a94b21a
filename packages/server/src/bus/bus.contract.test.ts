/**
 * The Bus contract, run against every adapter: the in-process bus and NATS (the real server on
 * 127.0.0.1:4222, as on every machine and in CI). Each run uses its own subject prefix, so parallel
 * runs never hear each other. "Two nodes" are two connections for NATS and the one bus in memory.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { Bus, StreamEvent } from './bus.js';
import { createMemoryBus } from './memory-bus.js';
import { createNatsBus, type BusLog } from './nats-bus.js';

const NATS_URL = process.env.BURROW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

interface Nodes {
  /** Two server nodes' buses (the same one for the in-process adapter). */
  readonly one: Bus;
  readonly two: Bus;
  /** Resolves once subscriptions made so far are in force everywhere. */
  readonly settle: () => Promise<void>;
  readonly close: () => Promise<void>;
}

let natsUnreachable: Error | null = null;

const quietLog: BusLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

const adapters: { name: string; open(onHandlerError?: (err: unknown) => void): Nodes }[] = [
  {
    name: 'memory',
    open(onHandlerError) {
      const bus = createMemoryBus(onHandlerError);
      return { one: bus, two: bus, settle: () => Promise.resolve(), close: () => Promise.resolve() };
    },
  },
  {
    name: 'nats',
    open(onHandlerError) {
      const subjectPrefix = `burrow-test.${String(process.pid)}-${randomUUID().slice(0, 8)}`;
      const make = () =>
        createNatsBus({ servers: [NATS_URL], subjectPrefix, log: quietLog, ...(onHandlerError ? { onHandlerError } : {}) });
      const one = make();
      const two = make();
      return {
        one,
        two,
        settle: async () => {
          // An unreachable NATS is a one-line failure (once, then at once), never a hang or a skip.
          if (natsUnreachable) throw natsUnreachable;
          const unreachable = AbortSignal.timeout(5000);
          await Promise.race([
            Promise.all([one.ready(), two.ready()]),
            new Promise((_, reject) =>
              unreachable.addEventListener('abort', () => {
                natsUnreachable = new Error(`NATS is not reachable at ${NATS_URL} (set BURROW_TEST_NATS_URL)`);
                reject(natsUnreachable);
              }),
            ),
          ]);
        },
        close: async () => {
          await Promise.all([one.close(), two.close()]);
        },
      };
    },
  },
];

/** Collects a subscriber's events; `until(n)` waits (2 s at most) for the n-th. */
function collector() {
  const events: StreamEvent[] = [];
  let wake = (): void => undefined;
  return {
    events,
    handler: (e: StreamEvent): void => {
      events.push(e);
      wake();
    },
    async until(n: number): Promise<void> {
      const deadline = Date.now() + 2000;
      while (events.length < n) {
        if (Date.now() > deadline) assert.fail(`expected ${String(n)} event(s), got ${String(events.length)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

for (const adapter of adapters) {
  void describe(`Bus contract: ${adapter.name}`, () => {
    const opened: Nodes[] = [];
    const open = (onHandlerError?: (err: unknown) => void): Nodes => {
      const nodes = adapter.open(onHandlerError);
      opened.push(nodes);
      return nodes;
    };
    after(async () => {
      await Promise.all(opened.map((n) => n.close()));
    });

    void test('subscribers of a topic receive its events, in order, and only its events', async () => {
      const { one, settle } = open();
      const a = collector();
      const b = collector();
      one.subscribe('device:a', a.handler);
      one.subscribe('device:b', b.handler);
      await settle();
      one.publish('device:a', { type: 'message', seq: 1 });
      one.publish('device:b', { type: 'message', seq: 2 });
      one.publish('device:a', { type: 'message', seq: 3 });
      await a.until(2);
      await b.until(1);
      assert.deepEqual(a.events, [
        { type: 'message', seq: 1 },
        { type: 'message', seq: 3 },
      ]);
      assert.deepEqual(b.events, [{ type: 'message', seq: 2 }]);
    });

    void test('an event published on one node wakes the subscriber on another', async () => {
      const { one, two, settle } = open();
      const got = collector();
      two.subscribe('family:f1', got.handler);
      await settle();
      const event: StreamEvent = { type: 'review', familyId: 'f1', messageId: 'm1', state: 'waiting' };
      one.publish('family:f1', event);
      await got.until(1);
      assert.deepEqual(got.events, [event]);
    });

    void test('unsubscribe stops delivery; the same handler subscribed twice is two subscriptions', async () => {
      const { one, settle } = open();
      const got = collector();
      const sentinel = collector();
      one.subscribe('sentinel', sentinel.handler);
      const first = one.subscribe('t', got.handler);
      const second = one.subscribe('t', got.handler);
      await settle();
      one.publish('t', { type: 'pairing' });
      await got.until(2);
      first();
      one.publish('t', { type: 'pairing' });
      await got.until(3);
      second();
      await settle();
      one.publish('t', { type: 'pairing' });
      // Events on one connection arrive in order: once the sentinel is in, the one before it would be.
      one.publish('sentinel', { type: 'pairing' });
      await sentinel.until(1);
      assert.equal(got.events.length, 3);
    });

    void test('a failing handler neither fails the publisher nor starves other handlers', async () => {
      const errors: unknown[] = [];
      const { one, settle } = open((err) => errors.push(err));
      const got = collector();
      one.subscribe('t', () => {
        throw new Error('boom');
      });
      one.subscribe('t', got.handler);
      await settle();
      assert.doesNotThrow(() => {
        one.publish('t', { type: 'pairing' });
      });
      await got.until(1);
      assert.equal(errors.length, 1);
    });

    void test('topics holding dots, spaces, wildcards, underscores or any character stay apart', async () => {
      const { one, two, settle } = open();
      const topics = ['a.b', 'a b', 'a_2eb', 'a.*', '>', '*', 'device:ü🧸', '', 'a\tb', 'a.b.'];
      const got = topics.map(() => collector());
      topics.forEach((topic, i) => two.subscribe(topic, got[i]!.handler));
      await settle();
      topics.forEach((topic, i) => {
        one.publish(topic, { type: 'message', seq: i });
      });
      for (const [i, c] of got.entries()) {
        await c.until(1);
        assert.deepEqual(c.events, [{ type: 'message', seq: i }], `topic ${JSON.stringify(topics[i])}`);
      }
    });
  });
}
