/**
 * The catch-up after a NATS outage wakes every stream a node holds, paced (a pause of CATCH_UP_PAUSE_MS
 * before each slice of CATCH_UP_SLICE topics); requests that come together make one run, and requests
 * made during a run fold into one more run. Time is the test's: the pause is injected and resolved
 * by hand, so nothing here waits on a real timer and a slice that came too early is seen as such,
 * not raced.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from './bus.js';
import { CATCH_UP_PAUSE_MS, CATCH_UP_SLICE, catchUpEvents, createCatchUp } from './catch-up.js';

/** A clock the test moves: each pause waits until `tick()` ends it, and says how long it asked for. */
function manualPauses() {
  const waiting: { ms: number; resolve: () => void }[] = [];
  return {
    pause: (ms: number) => new Promise<void>((resolve) => waiting.push({ ms, resolve })),
    /** Pauses asked for and not yet ended. */
    pending: () => waiting.map((w) => w.ms),
    /** Ends the oldest pause and lets the run go on to its next await. */
    async tick(): Promise<void> {
      const next = waiting.shift();
      assert.ok(next, 'a run is waiting between slices');
      next.resolve();
      // The run resumes in a microtask; let it deliver its slice and reach its next pause (or end).
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

/** Half device topics, half family topics, in the order a node's handler map would give them. */
const topicsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `device:d${String(i)}` : `family:f${String(i)}`));

function recorder() {
  const woken: string[] = [];
  const events: { topic: string; event: StreamEvent }[] = [];
  return {
    woken,
    events,
    deliver: (topic: string, event: StreamEvent) => {
      events.push({ topic, event });
      if (woken.at(-1) !== topic) woken.push(topic);
    },
  };
}

void test('the events a woken topic gets make its stream read everything again (device: roster; family: toys and review)', () => {
  assert.deepEqual(catchUpEvents('device:abc'), [{ type: 'roster', familyId: '', version: 0 }]);
  assert.deepEqual(catchUpEvents('family:f1'), [
    { type: 'toys', familyId: 'f1' },
    { type: 'review', familyId: 'f1', messageId: '', state: 'waiting' },
  ]);
  assert.deepEqual(catchUpEvents('something-else'), []);
});

void test(`2,500 topics are woken ${String(CATCH_UP_SLICE)} at a time with a ${String(CATCH_UP_PAUSE_MS)} ms pause before each slice, each once`, async () => {
  const clock = manualPauses();
  const topics = topicsOf(2500);
  const rec = recorder();
  const catchUp = createCatchUp(() => topics, rec.deliver, { pause: clock.pause });
  catchUp.request();
  // A run first waits one pause (for the rest of a burst of requests), then wakes a slice per pause.
  assert.equal(rec.woken.length, 0);
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS]);
  await clock.tick();
  assert.equal(rec.woken.length, CATCH_UP_SLICE);
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS], 'nothing of the second slice before its pause ends');
  assert.equal(catchUp.runs(), 0);
  await clock.tick();
  assert.equal(rec.woken.length, 2 * CATCH_UP_SLICE);
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS]);
  await clock.tick();
  assert.equal(rec.woken.length, 2500);
  // The last slice ends the run: no pause after it.
  assert.deepEqual(clock.pending(), []);
  assert.equal(catchUp.runs(), 1);
  assert.deepEqual(rec.woken, topics, 'every topic once, in order');
  // Devices got one event each, families two.
  assert.equal(rec.events.length, 1250 * 1 + 1250 * 2);
});

void test('requests that come together (every node asking after a NATS restart) make one run', async () => {
  const clock = manualPauses();
  const topics = topicsOf(10);
  const rec = recorder();
  const catchUp = createCatchUp(() => topics, rec.deliver, { pause: clock.pause });
  for (let node = 0; node < 5; node++) catchUp.request();
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS], 'one run waiting, not five');
  await clock.tick();
  assert.equal(catchUp.runs(), 1);
  assert.deepEqual(rec.woken, topics, 'each topic woken once for the five requests');
  assert.deepEqual(clock.pending(), []);
});

void test('requests during a run fold into one more run, which also wakes a topic subscribed meanwhile', async () => {
  const clock = manualPauses();
  const topics = topicsOf(1500);
  const rec = recorder();
  const times = (topic: string) => rec.events.filter((e) => e.topic === topic).length;
  const catchUp = createCatchUp(() => topics, rec.deliver, { pause: clock.pause });
  catchUp.request();
  await clock.tick();
  assert.equal(rec.woken.length, CATCH_UP_SLICE);
  // Three more nodes came back while the first run waits between its slices, and a stream opened.
  catchUp.request();
  catchUp.request();
  catchUp.request();
  topics.push('device:late');
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS], 'a request during a run starts nothing of its own');
  await clock.tick();
  // The first run read its topics when it began: the late one is not in it.
  assert.equal(catchUp.runs(), 1);
  assert.equal(times('device:d1498'), 1);
  assert.equal(times('device:late'), 0);
  // The folded run follows, paced the same way: a pause, its first slice, a pause, the rest.
  assert.deepEqual(clock.pending(), [CATCH_UP_PAUSE_MS]);
  assert.equal(times('device:d0'), 1);
  await clock.tick();
  assert.equal(times('device:d0'), 2, 'the second run woke the first topic again');
  assert.equal(times('device:d1498'), 1, 'but not yet the topics past its first slice');
  await clock.tick();
  assert.equal(catchUp.runs(), 2, 'three requests made one more run, not three');
  assert.equal(times('device:late'), 1, 'the topic subscribed during the first run is woken by the second');
  for (const topic of ['device:d0', 'family:f999', 'device:d1000', 'family:f1499']) assert.equal(times(topic), topic.startsWith('family:') ? 4 : 2, topic);
  assert.deepEqual(clock.pending(), [], 'nothing more was asked for');
  // Quiet again: a new request starts a new run.
  catchUp.request();
  await clock.tick();
  assert.equal(times('device:d0'), 3);
  catchUp.stop();
});

void test('stop() ends a run between slices: nothing more is delivered, and later requests do nothing', async () => {
  const clock = manualPauses();
  const topics = topicsOf(3000);
  const rec = recorder();
  const catchUp = createCatchUp(() => topics, rec.deliver, { pause: clock.pause });
  catchUp.request();
  await clock.tick();
  assert.equal(rec.woken.length, CATCH_UP_SLICE);
  catchUp.stop();
  await clock.tick();
  assert.equal(rec.woken.length, CATCH_UP_SLICE);
  assert.deepEqual(clock.pending(), []);
  assert.equal(catchUp.runs(), 0, 'a stopped run is not counted as finished');
  catchUp.request();
  assert.deepEqual(clock.pending(), []);
  assert.equal(rec.woken.length, CATCH_UP_SLICE);
});
