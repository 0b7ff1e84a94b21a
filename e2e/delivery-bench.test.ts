import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable, runDelivery, type Plan } from '../bench/delivery/index.js';

/**
 * Every piece of the delivery benchmark (bench/delivery/, `npm run bench -- delivery`) at toy size,
 * so the benchmark cannot rot unnoticed. It sits in e2e/ because npm test runs the tests under
 * packages/, e2e/ and scripts/.
 */
const tiny: Plan = {
  reps: 1,
  audioBytes: 4096,
  rates: [{ rate: 50, messages: 5 }],
  drainMs: 5000,
  durable: { senders: 2, durationMs: 300, messages: 6 },
  storm: { rate: 20, messages: 4, loginsPerSecond: 4 },
  toys: 5,
  memoryOnFreshServer: false,
  mosquittoMemory: 'rss',
};

void test('the delivery benchmark runs every measurement end to end at tiny size and prints one table', { timeout: 180_000 }, async () => {
  const [rep] = await runDelivery(tiny);
  assert.ok(rep);
  const [latency] = rep.latency;
  assert.ok(latency);
  assert.deepEqual([latency.burrow.held, latency.burrow.shed], [5, 0], 'every sealed message reached the toy');
  assert.deepEqual([latency.mosquitto.held, latency.mosquitto.shed], [5, 0], 'every MQTT message reached the subscriber');
  assert.ok(latency.burrow.p99Ms > 0 && latency.mosquitto.p99Ms > 0);
  assert.ok(rep.durable.burrow > 0 && rep.durable.bare > 0, 'both durable stores acknowledged messages');
  assert.equal(rep.storm.quiet.held, 4);
  assert.equal(rep.storm.during.held, 4);
  assert.ok(rep.storm.during.logins > 0, 'the sign-in storm signed in');
  assert.ok(Number.isFinite(rep.memory.burrow) && Number.isFinite(rep.memory.mosquitto));
  assert.ok(rep.memory.openMs > 0, 'the time to open the toys\' streams was read');
  const table = formatTable(tiny, [rep]);
  assert.match(table, /delivery p99, open loop 50 msg\/s/);
  assert.match(table, /server memory per connected toy, 5 connected/);
  assert.match(table, /opening 5 toy streams at once/);
});
