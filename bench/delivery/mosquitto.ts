/**
 * The MQTT anchor: the same payload (blob and envelope bytes) through Mosquitto on 127.0.0.1:1883,
 * published and subscribed at QoS 1 (acknowledged, at least once), and Mosquitto's memory per
 * connected client. Mosquitto runs on every machine as a service; this only connects to it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { openLoop, Tracker, type LatencyResult } from './open-loop.js';
import { pool, rssOf, sleep } from './stats.js';

export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

const ID_BYTES = 16;

/** Open-loop delivery of `count` messages of `payloadBytes` at `rate`, publisher to subscriber. */
export async function mosquittoOpenLoop(rate: number, count: number, payloadBytes: number, drainMs: number): Promise<LatencyResult> {
  const topic = `burrow-bench/${randomBytes(6).toString('hex')}/toy`;
  const toy = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `bench-toy-${randomBytes(4).toString('hex')}`, clean: true });
  const sender = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `bench-sender-${randomBytes(4).toString('hex')}`, clean: true });
  try {
    await toy.subscribeAsync(topic, { qos: 1 });
    const tracker = new Tracker();
    toy.on('message', (_topic, payload) => tracker.held(payload.subarray(0, ID_BYTES).toString('latin1')));
    // Payloads made before the clock starts, each with its id in its first bytes.
    const ids = Array.from({ length: count }, (_, i) => String(i).padStart(ID_BYTES, '0'));
    const payloads = ids.map((id) => Buffer.concat([Buffer.from(id, 'latin1'), randomBytes(Math.max(0, payloadBytes - ID_BYTES))]));
    return await openLoop(rate, ids, async (i) => {
      await sender.publishAsync(topic, payloads[i]!, { qos: 1 });
      return true;
    }, tracker, drainMs);
  } finally {
    await Promise.all([toy.endAsync(), sender.endAsync()]);
  }
}

/** The pid of the Mosquitto broker (for its RSS), or null when it cannot be found. */
export function mosquittoPid(): number | null {
  const found = spawnSync('pgrep', ['-x', 'mosquitto'], { encoding: 'utf8' });
  const pid = Number(found.stdout.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Mosquitto's RSS growth per connected client that subscribes to its own topic at QoS 1, with `n` clients. */
export async function mosquittoBytesPerClient(n: number): Promise<number> {
  const pid = mosquittoPid();
  if (pid === null) throw new Error('Mosquitto is not running (expected on 127.0.0.1:1883).');
  const run = randomBytes(4).toString('hex');
  const settleMs = Math.min(1000, 100 + n / 10);
  await sleep(settleMs);
  const before = rssOf(pid);
  const clients: mqtt.MqttClient[] = [];
  await pool(Array.from({ length: n }, (_, i) => i), 100, async (i) => {
    const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `bench-${run}-${String(i)}`, clean: true, reconnectPeriod: 0 });
    await client.subscribeAsync(`burrow-bench/${run}/toy/${String(i)}`, { qos: 1 });
    clients.push(client);
  });
  await sleep(settleMs);
  const after = rssOf(pid);
  await pool(clients, 200, async (c) => {
    await c.endAsync();
  });
  return (after - before) / n;
}
