/**
 * What only the NATS adapter has to prove: it rides out NATS going away. With a nats-server of the
 * test's own (a free port on loopback, so the shared one on 4222 is never touched), events published
 * while it is down are dropped and logged, never thrown; once it is back, subscriptions made before
 * the outage deliver again without anyone subscribing anew, and every subscribed topic is woken once
 * (catch-up.ts) so the device behind it reads what it missed. health() says degraded meanwhile.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import type { StreamEvent } from './bus.js';
import { createNatsBus, type BusLog, type NatsBus } from './nats-bus.js';
import { freePort } from '../testing/processes.js';

/** Starts nats-server on `port` and waits until it accepts connections. */
async function startNats(port: number): Promise<ChildProcess> {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 15_000;
  while (!log.includes('Server is ready')) {
    if (Date.now() > deadline || child.exitCode !== null) assert.fail(`nats-server did not start on ${String(port)}: ${log}`);
    await sleep(20);
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  // Killed by a signal, a child has no exit code but a signal code: its 'exit' has been and gone.
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const children: ChildProcess[] = [];
const buses: NatsBus[] = [];
after(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await Promise.all(children.map(stop));
});

void test('while NATS is down publish drops and logs; after it is back, earlier subscriptions deliver again', async () => {
  const port = await freePort();
  let server = await startNats(port);
  children.push(server);
  // Each client notices the outage on its own schedule, so each keeps its own warnings: the
  // publisher's are the ones that say whether a publish was dropped.
  const make = (warnings: string[]): NatsBus => {
    const log: BusLog = { info: () => undefined, warn: (_o, msg) => warnings.push(msg), error: () => undefined };
    const bus = createNatsBus({ servers: [`nats://127.0.0.1:${String(port)}`], subjectPrefix: 'reconnect-test', log, reconnectTimeWaitMs: 100 });
    buses.push(bus);
    return bus;
  };
  const warnings: string[] = [];
  const publisher = make(warnings);
  const subscriber = make([]);
  const got: StreamEvent[] = [];
  subscriber.subscribe('device:d1', (e) => got.push(e));
  await Promise.all([publisher.ready(), subscriber.ready()]);
  publisher.publish('device:d1', { type: 'message', seq: 1 });
  await until('the first event', () => got.length === 1, 10_000);

  await stop(server);
  await until('the publisher to notice the disconnect', () => warnings.some((w) => w.includes('disconnected')), 10_000);
  assert.doesNotThrow(() => {
    publisher.publish('device:d1', { type: 'message', seq: 2 });
  });
  assert.ok(warnings.some((w) => w.includes('event dropped')), warnings.join('; '));
  const down = publisher.health();
  assert.equal(down.ok, false);
  assert.match(down.detail, /NATS unreachable since .*1 dropped here/);

  server = await startNats(port);
  children.push(server);
  // Publish until the renewed subscription hears one: both clients reconnect on their own schedule.
  await until(
    'delivery after the restart',
    () => {
      publisher.publish('device:d1', { type: 'message', seq: 3 });
      return got.some((e) => e.type === 'message' && e.seq === 3);
    },
    10_000,
  );
  assert.ok(!got.some((e) => e.type === 'message' && e.seq === 2), 'an event published while NATS was down is dropped, not replayed');
  // …but the device behind the subscription is woken to read again by cursor, with no new event.
  await until('the catch-up wake-up', () => got.some((e) => e.type === 'roster'), 10_000);
  assert.ok(subscriber.catchUps() >= 1);
  assert.deepEqual(publisher.health(), { ok: true, detail: 'NATS connected' });
});

void test('close() returns while NATS is unreachable instead of waiting for a drain that cannot finish', async () => {
  const port = await freePort();
  const server = await startNats(port);
  children.push(server);
  const warnings: string[] = [];
  const log: BusLog = { info: () => undefined, warn: (_o, msg) => warnings.push(msg), error: () => undefined };
  const bus = createNatsBus({ servers: [`nats://127.0.0.1:${String(port)}`], subjectPrefix: 'close-test', log, reconnectTimeWaitMs: 100 });
  bus.subscribe('device:d2', () => undefined);
  await bus.ready();
  await stop(server);
  await until('the disconnect to be noticed', () => warnings.some((w) => w.includes('disconnected')), 10_000);
  const outcome = await Promise.race([bus.close().then(() => 'closed'), sleep(10_000).then(() => 'still waiting')]);
  assert.equal(outcome, 'closed');
});
