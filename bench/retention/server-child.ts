/**
 * The server the retention benchmark measures, as its own process: the real app (startTestServer,
 * SQLite, logs off) with the benchmark's messages seeded into its database. Prints {"url"} when
 * ready. On stdin, `probe` starts an event-loop monitor (the loop serving the delivery probe alone);
 * `sweep` runs the retention sweep as the daily maintenance does (messages, then blobs), on the
 * server's own database, blob store, bus and clock, and prints {"sweep": figures}. Closing stdin
 * stops it. Spawned by bench/retention.ts; not meant to be run by hand.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { systemClock } from '../../packages/server/src/clock/index.js';
import { deleteInBatches } from '../../packages/server/src/maintenance/index.js';
import { createRetentionSweep } from '../../packages/server/src/retention/index.js';
import { startTestServer } from '../../packages/server/src/testing/start-test-server.js';
import { seed, type SeedPlan } from './seed.js';

const plan = JSON.parse(process.argv[2] ?? '{}') as Omit<SeedPlan, 'now'>;
const unlimited = { max: 10_000_000, windowMs: 60_000 };
const server = await startTestServer({
  postgresUrl: null,
  rateLimits: { global: unlimited, signUp: unlimited, logIn: unlimited, registerToy: unlimited, lookupPairing: unlimited, redeemInvitation: unlimited, sendMessage: unlimited },
});
// The server's own maintenance runs once at start: let it finish on the empty database first, so the
// sweep measured below is the only one that sees the seeded messages.
await server.services.maintenance.run();
const seedStarted = performance.now();
await seed(server.db, server.blobs, join(server.dataDir, 'blobs'), { ...plan, now: Date.now() });
const seedSeconds = (performance.now() - seedStarted) / 1000;
process.stdout.write(`${JSON.stringify({ url: server.url, seedSeconds })}\n`);

const pct = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const ms = (h: { percentile(p: number): number }, p: number): number => h.percentile(p) / 1e6;
const probeLoop = monitorEventLoopDelay({ resolution: 5 });

async function sweep(): Promise<void> {
  probeLoop.disable();
  const sweep = createRetentionSweep({ db: server.db, blobs: server.blobs, bus: server.bus, clock: systemClock });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const busy: number[] = [];
  const sizes: number[] = [];
  let scanned = 0;
  loop.enable();
  const started = performance.now();
  const messages = await deleteInBatches(async (limit) => {
    sizes.push(limit);
    const page = await sweep.messages(limit);
    busy.push(page.busyMs);
    scanned += page.scanned;
    return page;
  });
  const blobs = await deleteInBatches(sweep.blobs);
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  const figures = {
    seconds,
    scanned,
    deleted: messages.deleted,
    blobsDeleted: blobs.deleted,
    pages: messages.batches,
    pageSizeP50: pct(sizes, 50),
    busyP50: pct(busy, 50),
    busyP99: pct(busy, 99),
    busyMax: Math.max(messages.slowestMs, blobs.slowestMs),
    loopP99: ms(loop, 99),
    loopMax: loop.max / 1e6,
    probeLoopP99: ms(probeLoop, 99),
    probeLoopMax: probeLoop.max / 1e6,
    load: loadavg(),
  };
  process.stdout.write(`${JSON.stringify({ sweep: figures })}\n`);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'probe') probeLoop.enable();
  if (line === 'sweep') void sweep();
});
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
