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

/**
 * Mosquitto's heap growth per connected client that subscribes to its own topic at QoS 1, with `n`
 * clients. Read from the broker's own accounting ($SYS/broker/heap/current, published every 10 s),
 * not its RSS: a long-running broker's RSS never shrinks after clients leave, so a second reading
 * would find the memory already there. Waits for a fresh figure before and after connecting.
 */
export async function mosquittoBytesPerClient(n: number, source: 'heap' | 'rss' = 'heap'): Promise<number> {
  if (source === 'rss') return mosquittoRssPerClient(n);
  const run = randomBytes(4).toString('hex');
  const watcher = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `bench-heap-${run}`, clean: true });
  const latest = { at: -1, bytes: NaN };
  watcher.on('message', (_topic, payload, packet) => {
    // A retained copy is the figure of an earlier interval; only a live one is fresh.
    if (!packet.retain) Object.assign(latest, { at: performance.now(), bytes: Number(payload.toString()) });
  });
  await watcher.subscribeAsync('$SYS/broker/heap/current', { qos: 0 });
  const freshHeap = async (after: number): Promise<number> => {
    const deadline = performance.now() + 25_000;
    while (performance.now() < deadline) {
      if (latest.at > after) return latest.bytes;
      await sleep(100);
    }
    throw new Error('Mosquitto published no $SYS/broker/heap/current within 25 s (sys_interval off?).');
  };
  try {
    const before = await freshHeap(performance.now());
    const clients = await connectClients(run, n);
    const after = await freshHeap(performance.now());
    await disconnect(clients);
    return (after - before) / n;
  } finally {
    await watcher.endAsync();
  }
}

/** The same from the broker's RSS: quick, but only meaningful on a broker that never had this many clients. */
async function mosquittoRssPerClient(n: number): Promise<number> {
  const pid = mosquittoPid();
  if (pid === null) throw new Error('Mosquitto is not running (expected on 127.0.0.1:1883).');
  const before = rssOf(pid);
  const clients = await connectClients(randomBytes(4).toString('hex'), n);
  await sleep(Math.min(1000, 100 + n / 10));
  const after = rssOf(pid);
  await disconnect(clients);
  return (after - before) / n;
}

/** `n` clients, each subscribed at QoS 1 to its own topic, as a toy would be. */
async function connectClients(run: string, n: number): Promise<mqtt.MqttClient[]> {
  const clients: mqtt.MqttClient[] = [];
  try {
    await pool(Array.from({ length: n }, (_, i) => i), 100, async (i) => {
      const client = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `bench-${run}-${String(i)}`, clean: true, reconnectPeriod: 0 });
      clients.push(client);
      await client.subscribeAsync(`burrow-bench/${run}/toy/${String(i)}`, { qos: 1 });
    });
  } catch (err) {
    await disconnect(clients);
    throw err;
  }
  return clients;
}

async function disconnect(clients: readonly mqtt.MqttClient[]): Promise<void> {
  await pool(clients, 200, async (c) => {
    await c.endAsync();
  });
}
