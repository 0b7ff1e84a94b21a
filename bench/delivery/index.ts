/**
 * `npm run bench -- delivery [--quick] [--toys N] [--reps N] [--profile DIR]`: Burrow against its
 * anchors in one run on loopback, each figure the median (and min–max) of interleaved repetitions.
 *
 *   delivery p99, open loop at 50/200/500 msg/s   vs Mosquitto QoS 1, same payload
 *   durable messages acknowledged/s, 32 senders   vs a bare node:http server that writes + fsyncs
 *   delivery p99 at 10 msg/s during 20 sign-ins/s vs the same without the sign-ins
 *   memory per connected toy                       vs Mosquitto per connected client
 *   time to open every toy's stream at once        (issue #11's target: ≤ 10 s for 10,000)
 *
 * Burrow runs as a child process (processes.ts) on SQLite in a temp folder; every message is a
 * real sealed envelope and blob, sealed before the clock starts, sent through the real HTTP API and
 * picked up by a toy on the real WebSocket stream. See docs/performance.md for a run and its reading.
 */
import { setUpCast } from './family.js';
import { mosquittoBytesPerClient, mosquittoOpenLoop } from './mosquitto.js';
import { bareDurableRate, burrowDeliveryDuringLogins, burrowDurableRate, burrowOpenLoop, registerToys, seal } from './burrow-load.js';
import { startChild } from './processes.js';
import { readToyMemory, type ToyMemoryReading } from './toy-memory.js';
import { spread, type Spread } from './stats.js';
import type { LatencyResult } from './open-loop.js';

/** The size of a run. */
export interface Plan {
  reps: number;
  /** Audio bytes per message before sealing (48 KiB ≈ 12 s of Opus at 32 kbit/s). */
  audioBytes: number;
  /** Open-loop rates and how many messages each sends. */
  rates: { rate: number; messages: number }[];
  /** How long to wait for the last messages after the last was due. */
  drainMs: number;
  durable: { senders: number; durationMs: number; messages: number };
  storm: { rate: number; messages: number; loginsPerSecond: number };
  toys: number;
  /** Read memory per toy on a fresh Burrow process each repetition (true), or on the one already running (false: faster, noisier). */
  memoryOnFreshServer: boolean;
  /** Mosquitto's memory from its own heap accounting ($SYS, takes ~20 s) or its RSS (instant; only right on a fresh broker). */
  mosquittoMemory: 'heap' | 'rss';
}

export const fullPlan: Plan = {
  reps: 3,
  audioBytes: 48 * 1024,
  rates: [
    { rate: 50, messages: 400 },
    { rate: 200, messages: 1200 },
    { rate: 500, messages: 2000 },
  ],
  drainMs: 20_000,
  durable: { senders: 32, durationMs: 5000, messages: 1500 },
  storm: { rate: 10, messages: 80, loginsPerSecond: 20 },
  toys: 10_000,
  memoryOnFreshServer: true,
  mosquittoMemory: 'heap',
};

export const quickPlan: Plan = {
  reps: 1,
  audioBytes: 48 * 1024,
  rates: [
    { rate: 50, messages: 100 },
    { rate: 200, messages: 300 },
    { rate: 500, messages: 500 },
  ],
  drainMs: 5000,
  durable: { senders: 32, durationMs: 2000, messages: 400 },
  storm: { rate: 10, messages: 30, loginsPerSecond: 20 },
  toys: 500,
  memoryOnFreshServer: true,
  mosquittoMemory: 'heap',
};

/** One repetition's figures. */
export interface Repetition {
  latency: { rate: number; mosquitto: LatencyResult; burrow: LatencyResult }[];
  durable: { bare: number; burrow: number };
  storm: { quiet: LatencyResult; during: LatencyResult & { logins: number } };
  /** Bytes per connected client/toy, and the time Burrow took to open all its toys' streams. */
  memory: { mosquitto: number; burrow: number; openMs: number };
}

export interface RunOptions {
  /** Node flags for the Burrow process (e.g. --cpu-prof --cpu-prof-dir=DIR). */
  burrowFlags?: string[];
  log?: (line: string) => void;
}

/** Runs `plan` and returns every repetition's figures; starts and stops its own processes. */
export async function runDelivery(plan: Plan, options: RunOptions = {}): Promise<Repetition[]> {
  const log = options.log ?? (() => undefined);
  const [burrow, bare] = await Promise.all([startChild('burrow-child.ts', options.burrowFlags), startChild('bare-fsync-server.ts')]);
  try {
    log(`Burrow at ${burrow.url} (pid ${String(burrow.pid)}); bare fsync server at ${bare.url}`);
    const cast = await setUpCast(burrow.url, plan.durable.senders);
    log(`set up: a family, ${String(cast.senders.length)} sender devices, a paired toy on the stream`);
    const reps: Repetition[] = [];
    for (let r = 0; r < plan.reps; r++) {
      // Interleaved: each repetition measures every figure, anchor and Burrow back to back, the
      // order alternating between repetitions so neither always runs on a warmer machine.
      const anchorFirst = r % 2 === 0;
      const both = async <A, B>(anchor: () => Promise<A>, ours: () => Promise<B>): Promise<[A, B]> => {
        if (anchorFirst) {
          const a = await anchor();
          return [a, await ours()];
        }
        const b = await ours();
        return [await anchor(), b];
      };
      const latency: Repetition['latency'] = [];
      for (const { rate, messages } of plan.rates) {
        const sealed = await seal(cast, messages, plan.audioBytes);
        const payloadBytes = sealed[0]!.blob.length + JSON.stringify(sealed[0]!.envelope).length;
        const [mosquitto, ours] = await both(
          () => mosquittoOpenLoop(rate, messages, payloadBytes, plan.drainMs),
          () => burrowOpenLoop(cast, sealed, rate, plan.drainMs),
        );
        latency.push({ rate, mosquitto, burrow: ours });
        log(`rep ${String(r + 1)} · ${String(rate)} msg/s: Mosquitto p99 ${mosquitto.p99Ms.toFixed(1)} ms, Burrow p99 ${ours.p99Ms.toFixed(1)} ms, of the first tries ${ours.firstTryP99Ms.toFixed(1)} ms (shed ${String(ours.shed)}, of them never accepted ${String(ours.refused)}; ${String(ours.retried)} held after a 503 and a retry)`);
      }
      const pool = await seal(cast, plan.durable.messages, plan.audioBytes);
      const bodies = pool.map((m) => Buffer.concat([m.blob, Buffer.from(JSON.stringify({ envelope: m.envelope }))]));
      const [bareRate, burrowRate] = await both(
        () => bareDurableRate(bare.url, bodies, plan.durable.senders, plan.durable.durationMs),
        () => burrowDurableRate(cast, pool, plan.durable.senders, plan.durable.durationMs),
      );
      log(`rep ${String(r + 1)} · durable: bare ${bareRate.toFixed(0)}/s, Burrow ${burrowRate.toFixed(0)}/s`);
      const quietSealed = await seal(cast, plan.storm.messages, plan.audioBytes);
      const stormSealed = await seal(cast, plan.storm.messages, plan.audioBytes);
      const [quiet, during] = await both(
        () => burrowDeliveryDuringLogins(cast, quietSealed, plan.storm.rate, 0, plan.drainMs),
        () => burrowDeliveryDuringLogins(cast, stormSealed, plan.storm.rate, plan.storm.loginsPerSecond, plan.drainMs),
      );
      log(`rep ${String(r + 1)} · storm: p99 ${quiet.p99Ms.toFixed(1)} ms quiet, ${during.p99Ms.toFixed(1)} ms during ${String(during.logins)} sign-ins`);
      const [mosquittoBytes, toyMemory] = await both(
        () => mosquittoBytesPerClient(plan.toys, plan.mosquittoMemory),
        () => (plan.memoryOnFreshServer ? burrowMemory(plan.toys, options.burrowFlags) : registerToys(burrow.url, plan.toys).then((toys) => readToyMemory(burrow, toys))),
      );
      const burrowBytes = toyMemory.bytesPerToy;
      log(`rep ${String(r + 1)} · memory: Mosquitto ${(mosquittoBytes / 1024).toFixed(2)} KiB/client, Burrow ${(burrowBytes / 1024).toFixed(2)} KiB/toy; ${String(plan.toys)} toy streams opened in ${(toyMemory.openMs / 1000).toFixed(2)} s`);
      reps.push({ latency, durable: { bare: bareRate, burrow: burrowRate }, storm: { quiet, during }, memory: { mosquitto: mosquittoBytes, burrow: burrowBytes, openMs: toyMemory.openMs } });
    }
    log(`the toy's failed downloads over the run: ${String(cast.toyClient.failures)}`);
    await cast.toyClient.close();
    return reps;
  } finally {
    await Promise.all([burrow.stop(), bare.stop()]);
  }
}

/**
 * Memory per toy is read on a fresh Burrow process (its RSS not yet grown and fragmented by the
 * other measurements): `n` toys registered, then all connected to the stream at once.
 */
async function burrowMemory(n: number, flags: string[] | undefined): Promise<ToyMemoryReading> {
  const server = await startChild('burrow-child.ts', flags);
  try {
    return await readToyMemory(server, await registerToys(server.url, n));
  } finally {
    await server.stop();
  }
}

const fmt = (s: Spread, unit: string, digits = 1): string =>
  Number.isNaN(s.median) ? 'n/a' : `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

/** The results as one Markdown table: median (min–max) over the repetitions, and Burrow ÷ anchor. */
export function formatTable(plan: Plan, reps: readonly Repetition[]): string {
  const rows: string[] = [
    `| measurement (${String(plan.audioBytes / 1024)} KiB voice message, sealed; ${String(reps.length)} repetition(s)) | anchor | anchor | Burrow | Burrow ÷ anchor |`,
    '|---|---|---|---|---|',
  ];
  plan.rates.forEach(({ rate, messages }, i) => {
    const m = spread(reps.map((r) => r.latency[i]!.mosquitto.p99Ms));
    const b = spread(reps.map((r) => r.latency[i]!.burrow.p99Ms));
    const first = spread(reps.map((r) => r.latency[i]!.burrow.firstTryP99Ms));
    const worst = (pick: (r: Repetition) => number): number => Math.max(...reps.map(pick));
    const shed = (pick: (r: Repetition) => number): string => `${String(worst(pick))} of ${String(messages)} shed at worst`;
    // Refused sends are sent again after Retry-After (sendSealedRetrying): with any, the p99 includes
    // that wait, and the first tries' p99 says how long an accepted message takes to reach the toy.
    const retried = worst((r) => r.latency[i]!.burrow.retried);
    const retries = retried === 0 ? '' : `; ${String(retried)} held after a 503 and a retry (at worst); accepted first time: p99 ${fmt(first, 'ms')}`;
    rows.push(
      `| delivery p99, open loop ${String(rate)} msg/s (send → toy holds envelope + blob) | Mosquitto QoS 1 | ${fmt(m, 'ms')}; ${shed((r) => r.latency[i]!.mosquitto.shed)} | ${fmt(b, 'ms')}; ${shed((r) => r.latency[i]!.burrow.shed)}${retries} | ${(b.median / m.median).toFixed(1)}× |`,
    );
  });
  const bare = spread(reps.map((r) => r.durable.bare));
  const ours = spread(reps.map((r) => r.durable.burrow));
  rows.push(`| durable messages acknowledged per second, ${String(plan.durable.senders)} senders | node:http write + fsync | ${fmt(bare, '/s', 0)} | ${fmt(ours, '/s', 0)} | ${(ours.median / bare.median).toFixed(2)}× |`);
  const quiet = spread(reps.map((r) => r.storm.quiet.p99Ms));
  const during = spread(reps.map((r) => r.storm.during.p99Ms));
  rows.push(
    `| delivery p99 at ${String(plan.storm.rate)} msg/s during ${String(plan.storm.loginsPerSecond)} sign-ins/s | the same without sign-ins | ${fmt(quiet, 'ms')} | ${fmt(during, 'ms')} | ${(during.median / quiet.median).toFixed(1)}× |`,
  );
  const mq = spread(reps.map((r) => r.memory.mosquitto / 1024));
  const bm = spread(reps.map((r) => r.memory.burrow / 1024));
  rows.push(`| server memory per connected toy, ${String(plan.toys)} connected | Mosquitto per client (${plan.mosquittoMemory === 'heap' ? 'its heap' : 'RSS'}) | ${fmt(mq, 'KiB', 2)} | ${fmt(bm, 'KiB', 2)} | ${(bm.median / mq.median).toFixed(1)}× |`);
  const open = spread(reps.map((r) => r.memory.openMs / 1000));
  rows.push(`| opening ${String(plan.toys)} toy streams at once (64 handshakes in flight; target ≤ 10 s at 10,000) | — | — | ${fmt(open, 's', 2)} | — |`);
  return rows.join('\n');
}
