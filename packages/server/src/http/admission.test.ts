/**
 * The admission gate's two limits (issue #11): writes in flight, and the event loop's lag once enough
 * writes are in flight. The lag is injected, so the refusal's shape is checked without any timing;
 * the monitor itself is checked against a pause this test makes (a lower bound the timer cannot miss).
 * messages/back-pressure.test.ts checks the same refusal over HTTP, and that nothing refused is stored.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import { MIN_INFLIGHT_FOR_LAG } from './admission-config.js';
import { createAdmission, eventLoopLag, SATURATED_UTILIZATION, type Admission, type LagMonitor } from './admission.js';

interface FakeReply {
  reply: FastifyReply;
  headers: Map<string, string>;
  done(): void;
}

function fakeReply(): FakeReply {
  const headers = new Map<string, string>();
  const raw = new EventEmitter();
  const reply = {
    raw,
    header(name: string, value: string) {
      headers.set(name, value);
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers, done: () => raw.emit('close') };
}

const request = {} as FastifyRequest;

function fixedLag(ms: number, utilization = 1): LagMonitor & { set(ms: number): void; setUtilization(u: number): void } {
  let lag = ms;
  let busy = utilization;
  return { lagMs: () => lag, utilization: () => busy, stop: () => undefined, set: (v) => (lag = v), setUtilization: (u) => (busy = u) };
}

/** Admits writes until one is refused; returns the admitted ones' replies and the refusal. */
async function fill(admission: Admission, upTo: number): Promise<{ admitted: FakeReply[]; refused: { reply: FakeReply; error: unknown } | null }> {
  const admitted: FakeReply[] = [];
  for (let i = 0; i < upTo; i++) {
    const r = fakeReply();
    try {
      await admission.gate(request, r.reply);
      admitted.push(r);
    } catch (error) {
      return { admitted, refused: { reply: r, error } };
    }
  }
  return { admitted, refused: null };
}

function assertRefusal(refused: { reply: FakeReply; error: unknown } | null, retryAfter: string): void {
  assert.ok(refused, 'a write was refused');
  assert.ok(refused.error instanceof AppError);
  assert.equal(refused.error.code, 'unavailable');
  assert.match(refused.error.message, /try again in/);
  assert.equal(refused.reply.headers.get('retry-after'), retryAfter);
}

void test('with the event loop late, writes past the lag floor are refused with 503 and Retry-After; a finished one frees a slot', async () => {
  const lag = fixedLag(400);
  const admission = createAdmission({ maxInflightWrites: 256, retryAfterSeconds: 3, maxLagMs: 150 }, lag);
  const { admitted, refused } = await fill(admission, 256);
  assert.equal(admitted.length, MIN_INFLIGHT_FOR_LAG, 'the writes below the floor are taken whatever the lag');
  assertRefusal(refused, '3');
  assert.deepEqual(admission.stats(), {
    inFlight: MIN_INFLIGHT_FOR_LAG,
    refused: 1,
    refusedForLag: 1,
    refusedForDeliveries: 0,
    refusedForCaller: 0,
    refusedBeforeAuth: 0,
    cutForSlowBody: 0,
    deliveries: 0,
    lagMs: 400,
  });

  admitted[0]!.done();
  lag.set(400);
  assert.equal((await fill(admission, 1)).admitted.length, 1, 'a slot freed below the floor is taken again');
  // The loop caught up: the in-flight limit is the only one left.
  lag.set(10);
  const more = await fill(admission, 256);
  assert.equal(more.admitted.length, 256 - MIN_INFLIGHT_FOR_LAG);
  assertRefusal(more.refused, '3');
  assert.equal(admission.stats().refusedForLag, 1, 'the last refusal was for the in-flight limit');
});

void test('a late loop that is mostly idle (the machine is busy, not the node) refuses nothing for lag', async () => {
  const lag = fixedLag(400, SATURATED_UTILIZATION - 0.2);
  const admission = createAdmission({ maxInflightWrites: 64, retryAfterSeconds: 1, maxLagMs: 150 }, lag);
  const first = await fill(admission, 32);
  assert.equal(first.admitted.length, 32);
  assert.equal(first.refused, null);
  // The node's own work fills the loop: now the lag is its doing, and more writes are refused.
  lag.setUtilization(0.97);
  const next = await fill(admission, 1);
  assert.equal(next.admitted.length, 0);
  assertRefusal(next.refused, '1');
  assert.equal(admission.stats().refusedForLag, 1);
});

void test('with the lag limit off (0), only the in-flight limit refuses', async () => {
  const admission = createAdmission({ maxInflightWrites: 40, retryAfterSeconds: 1, maxLagMs: 0 }, fixedLag(10_000));
  const { admitted, refused } = await fill(admission, 100);
  assert.equal(admitted.length, 40);
  assertRefusal(refused, '1');
  assert.equal(admission.stats().refusedForLag, 0);
});

void test('the lag monitor reads a pause of the event loop, and the loop busy during it', async () => {
  const monitor = eventLoopLag();
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The loop held for 1 s: the next tick is at least that late, and its window (the pause and the
    // idle moment before it, since the last tick) is mostly work, even if that moment ran long.
    const until = performance.now() + 1000;
    while (performance.now() < until);
    // The monitor's overdue tick runs in the same timers phase as this one, before it (due earlier).
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.ok(monitor.lagMs() >= 900, `lag read ${monitor.lagMs().toFixed(0)} ms after a 1 s pause`);
    // The pause was the loop's own work, so the tick that saw it found the loop busy.
    assert.ok(monitor.utilization() >= SATURATED_UTILIZATION, `utilization read ${monitor.utilization().toFixed(2)}`);
  } finally {
    monitor.stop();
  }
});

void test('deliveries first: while the delivery limit of reads is being answered, writes are refused (before and after authentication); a finished delivery frees the way', async () => {
  const admission = createAdmission({ maxInflightWrites: 256, retryAfterSeconds: 2, maxLagMs: 0, maxInflightDeliveries: 3 }, null);
  const reads = [fakeReply(), fakeReply(), fakeReply()];
  await admission.delivery(request, reads[0]!.reply);
  await admission.delivery(request, reads[1]!.reply);
  assert.equal((await fill(admission, 5)).admitted.length, 5, 'below the limit, writes are admitted');
  await admission.delivery(request, reads[2]!.reply);
  const { admitted, refused } = await fill(admission, 1);
  assert.equal(admitted.length, 0);
  assertRefusal(refused, '2');
  // The precheck (a write route's first onRequest hook, before authentication) refuses the same way.
  const early = fakeReply();
  await assert.rejects(admission.precheck(request, early.reply), (e) => e instanceof AppError && e.code === 'unavailable');
  assert.equal(early.headers.get('retry-after'), '2');
  assert.deepEqual(
    { ...admission.stats(), lagMs: 0 },
    { inFlight: 5, refused: 2, refusedForLag: 0, refusedForDeliveries: 2, refusedForCaller: 0, refusedBeforeAuth: 1, cutForSlowBody: 0, deliveries: 3, lagMs: 0 },
  );
  // A delivery answered (or its connection closed, once only): writes are admitted again.
  reads[0]!.done();
  reads[0]!.done();
  assert.equal(admission.stats().deliveries, 2);
  await admission.precheck(request, fakeReply().reply);
  assert.equal((await fill(admission, 1)).admitted.length, 1);
});

void test('a delivery its client holds open counts for maxDeliveryHoldMs at most: then writes are admitted while it is still open', async () => {
  const admission = createAdmission({ maxInflightWrites: 256, retryAfterSeconds: 2, maxLagMs: 0, maxInflightDeliveries: 1, maxDeliveryHoldMs: 50 }, null);
  const held = fakeReply(); // never finished: a receipt's body sent half, a download read slowly
  await admission.delivery(request, held.reply);
  assertRefusal((await fill(admission, 1)).refused, '2');
  // Waits for the hold (50 ms) to lapse: an event the test waits on, not a time it asserts.
  for (let i = 0; i < 1000 && admission.stats().deliveries > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(admission.stats().deliveries, 0, 'the held delivery stopped counting');
  assert.equal((await fill(admission, 1)).admitted.length, 1, 'a write is admitted while the held delivery is still open');
  // Its answer handed over at last releases nothing twice.
  held.done();
  assert.equal(admission.stats().deliveries, 0);
});

void test('with the delivery limit off (0 or absent), reads in flight refuse nothing', async () => {
  for (const config of [
    { maxInflightWrites: 8, retryAfterSeconds: 1, maxLagMs: 0, maxInflightDeliveries: 0 },
    { maxInflightWrites: 8, retryAfterSeconds: 1, maxLagMs: 0 },
  ]) {
    const admission = createAdmission(config, null);
    for (let i = 0; i < 100; i++) await admission.delivery(request, fakeReply().reply);
    const { admitted, refused } = await fill(admission, 20);
    assert.equal(admitted.length, 8, 'only the in-flight limit refuses');
    assertRefusal(refused, '1');
    assert.equal(admission.stats().refusedForDeliveries, 0);
  }
});

void test("a caller's share: its writes past maxInflightWritesPerCaller are refused while other callers are admitted; a finished write gives its slot back", async () => {
  const admission = createAdmission({ maxInflightWrites: 256, retryAfterSeconds: 4, maxLagMs: 0, maxInflightWritesPerCaller: 2 }, null);
  // A person's devices share their account's share; a toy has its own.
  const phone = { principal: { kind: 'account', accountId: 'acc-1', deviceId: 'phone' } } as FastifyRequest;
  const laptop = { principal: { kind: 'account', accountId: 'acc-1', deviceId: 'laptop' } } as FastifyRequest;
  const toy = { principal: { kind: 'toy', toyId: 'toy-1' } } as FastifyRequest;
  const first = fakeReply();
  await admission.gate(phone, first.reply);
  await admission.gate(laptop, fakeReply().reply);
  const refused = fakeReply();
  await assert.rejects(admission.gate(phone, refused.reply), (e) => e instanceof AppError && e.code === 'unavailable' && /already has 2 uploads/.test(e.message));
  assert.equal(refused.headers.get('retry-after'), '4');
  await assert.rejects(admission.gate(laptop, fakeReply().reply), AppError);
  await admission.gate(toy, fakeReply().reply);
  await admission.gate(toy, fakeReply().reply);
  assert.deepEqual([admission.stats().inFlight, admission.stats().refusedForCaller], [4, 2]);
  // The share is not the node's limit: the precheck (before authentication) refuses nothing for it.
  await admission.precheck(phone, fakeReply().reply);
  first.done();
  await admission.gate(laptop, fakeReply().reply);
  await assert.rejects(admission.gate(phone, fakeReply().reply), AppError);
});
