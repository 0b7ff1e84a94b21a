/**
 * The retention sweep at scale, and what it does to delivery meanwhile. A real server (its own
 * process: retention/server-child.ts) holds N messages (default 200,000) over F families (default
 * 100), seeded into its SQLite database (retention/seed.ts): created evenly over the last 60 days,
 * each queued for two devices; 90 % fetched by both, 10 % by nobody; one in `--blob-every`
 * (default 10) with a 2 KB blob. With the default 30-day period about half the fetched messages are
 * due, and the unfetched ones older than 30 days expire.
 *
 * The delivery probe: a guardian (set up through the real API) sends sealed voice messages to her
 * toy at `--rate` per second (default 5), open loop; the toy, on the stream, fetches each one; a
 * message's latency runs from its due time until the toy holds it. First `--baseline` seconds
 * (default 30) without the sweep, then for the whole sweep (the maintenance's: messages, then blobs,
 * in the server's process). Reports scanned/s and deleted/s, each page's longest synchronous stretch,
 * the server's event-loop p99 during the sweep and during the probe alone, and delivery p99 during
 * the sweep ÷ without it — all from the same run, with the load average.
 *
 *   npx tsx bench/retention.ts [--messages 200000] [--families 100] [--blob-every 10] [--rate 5] [--baseline 30]
 *
 * The quiet-machine 2 M run is `npx tsx bench/retention.ts --messages 2000000` (docs/performance.md).
 * Its last line is the summary: rows/s (messages deleted or expired per second of sweep) and the
 * max batch pause (the longest unit of synchronous work, the longest the sweep itself held the loop),
 * with the load average sampled through the sweep.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sealMessages, sendSealed, setUpCast, type Cast } from './delivery/family.js';
import { openLoop, Tracker } from './delivery/open-loop.js';
import { percentile } from './delivery/stats.js';

const USAGE = 'usage: npx tsx bench/retention.ts [--messages 200000] [--families 100] [--blob-every 10] [--rate 5] [--baseline 30]';
const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    families: { type: 'string' },
    'blob-every': { type: 'string' },
    rate: { type: 'string' },
    baseline: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** A whole number ≥ 1 from the command line, or exit 2 saying which option was wrong (a typo must not start a 2 M run). */
function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number ≥ 1, not ${JSON.stringify(raw)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}
const plan = {
  messages: positive('messages', values.messages, 200_000),
  families: positive('families', values.families, 100),
  blobEvery: positive('blob-every', values['blob-every'], 10),
};
const RATE = positive('rate', values.rate, 5);
const BASELINE_S = positive('baseline', values.baseline, 30);
/** Messages sealed per window of the probe (sealing happens here, between windows, not in the server). */
const WINDOW = RATE * 10;
const AUDIO_BYTES = 16_000;

interface SweepFigures {
  seconds: number;
  scanned: number;
  deleted: number;
  blobsDeleted: number;
  pages: number;
  pageSizeP50: number;
  busyP50: number;
  busyP99: number;
  busyMax: number;
  loopP99: number;
  loopMax: number;
  probeLoopP99: number;
  probeLoopMax: number;
  load: number[];
}

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('retention/server-child.ts', import.meta.url)), JSON.stringify(plan)], {
  cwd: fileURLToPath(new URL('../', import.meta.url)),
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, NODE_ENV: 'development' },
});
// Every line the child prints is kept until asked for: its server also logs JSON lines (pino) to
// stdout, and two lines can arrive in one chunk, so a listener added per question could miss one.
const received: Record<string, unknown>[] = [];
let arrived: () => void = () => undefined;
createInterface({ input: child.stdout }).on('line', (line) => {
  received.push(JSON.parse(line) as Record<string, unknown>);
  arrived();
});
let exited: number | null | undefined;
child.once('exit', (code) => {
  exited = code;
  arrived();
});
/** The child's next line that carries `key` (the others are its server's log). */
async function lineWith(key: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = received.findIndex((line) => key in line);
    if (found !== -1) return received.splice(0, found + 1).at(-1)!;
    if (exited !== undefined) throw new Error(`the server exited (${String(exited)})`);
    await new Promise<void>((resolve) => (arrived = resolve));
  }
}

/** Probes delivery in windows of WINDOW messages until `done()`; returns every latency. */
async function probe(cast: Cast, done: () => boolean): Promise<{ latencies: number[]; shed: number }> {
  const latencies: number[] = [];
  let shed = 0;
  while (!done()) {
    const sealed = await sealMessages(cast, WINDOW, AUDIO_BYTES);
    const tracker = new Tracker();
    cast.toyClient.onHeld = (id) => tracker.held(id);
    const r = await openLoop(RATE, sealed.map((m) => m.envelope.id), (i) => sendSealed(cast.url, cast.fam.familyId, sealed[i]!), tracker, 30_000);
    latencies.push(...tracker.latencies);
    shed += r.shed;
  }
  return { latencies, shed };
}

try {
  const ready = (await lineWith('url')) as { url: string; seedSeconds: number };
  console.log(`Seeded ${String(plan.messages)} messages (${String(Math.ceil(plan.messages / plan.blobEvery))} with blobs) in ${ready.seedSeconds.toFixed(0)} s; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const cast = await setUpCast(ready.url);
  child.stdin.write('probe\n');
  const baselineEnds = performance.now() + BASELINE_S * 1000;
  // The load average is sampled through each phase, so every figure below is printed with the load
  // it was measured under (a shared machine's load moves within one run).
  const baselineLoads = [loadavg()[0] ?? 0];
  const baselineSampler = setInterval(() => baselineLoads.push(loadavg()[0] ?? 0), 10_000);
  const without = await probe(cast, () => performance.now() > baselineEnds).finally(() => {
    clearInterval(baselineSampler);
    baselineLoads.push(loadavg()[0] ?? 0);
  });
  let figures: SweepFigures | null = null;
  const swept = lineWith('sweep').then((line) => (figures = line.sweep as SweepFigures));
  // The 1-minute load average every 30 s of the sweep: a long run outlives any one reading of it.
  const loads = [loadavg()[0] ?? 0];
  const sampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 30_000);
  child.stdin.write('sweep\n');
  const during = await probe(cast, () => figures !== null).finally(() => clearInterval(sampler));
  await swept;
  loads.push(loadavg()[0] ?? 0);
  const loadText = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return `load ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}, mean ${mean.toFixed(1)} over ${String(xs.length)} samples`;
  };
  const sweepLoad = loadText(loads);
  const baselineLoad = loadText(baselineLoads);
  const f = figures as unknown as SweepFigures;
  const p99 = (xs: number[]): number => percentile(xs, 99);
  console.log(
    `Sweep: ${String(f.scanned)} messages scanned, ${String(f.deleted)} deleted or expired, ${String(f.blobsDeleted)} unreferenced blobs, in ${f.seconds.toFixed(1)} s ` +
      `(${(f.scanned / f.seconds).toFixed(0)} scanned/s, ${(f.deleted / f.seconds).toFixed(0)} deleted/s); ${String(f.pages)} pages (size p50 ${String(f.pageSizeP50)}); ` +
      `longest synchronous stretch per page p50 ${f.busyP50.toFixed(0)} ms, p99 ${f.busyP99.toFixed(0)} ms, max ${f.busyMax.toFixed(0)} ms; ${sweepLoad}`,
  );
  console.log(
    `Server event-loop delay: p99 ${f.loopP99.toFixed(1)} ms (max ${f.loopMax.toFixed(0)}) during the sweep (${sweepLoad}); ` +
      `${f.probeLoopP99.toFixed(1)} ms (max ${f.probeLoopMax.toFixed(0)}) with the probe alone (${baselineLoad})`,
  );
  console.log(
    `Delivery at ${String(RATE)} msg/s: p99 ${p99(during.latencies).toFixed(1)} ms during the sweep (${String(during.latencies.length)} held, ${String(during.shed)} shed; ${sweepLoad}) vs ` +
      `${p99(without.latencies).toFixed(1)} ms without (${String(without.latencies.length)} held, ${String(without.shed)} shed; ${baselineLoad}) = ${(p99(during.latencies) / p99(without.latencies)).toFixed(2)}×`,
  );
  console.log(`Load average at the sweep's end: ${f.load.map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)`);
  console.log(
    `Summary: ${String(plan.messages)} messages, ${(f.deleted / f.seconds).toFixed(0)} rows/s deleted or expired, max batch pause ${f.busyMax.toFixed(0)} ms, ` +
      `delivery p99 ${(p99(during.latencies) / p99(without.latencies)).toFixed(2)}× during/without; sweep ${sweepLoad}; without ${baselineLoad}`,
  );
  await cast.toyClient.close();
} finally {
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
}
