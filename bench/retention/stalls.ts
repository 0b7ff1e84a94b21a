/**
 * Where the event loop stalls during the retention sweep: a diagnostic, not a figure for the docs'
 * tables. A server (startTestServer, SQLite) holds N seeded messages (seed.ts); a probe in the same
 * process writes a row and reads one every 20 ms, as requests would; the sweep runs as the
 * maintenance runs it (messages, then blobs). Every stretch the loop was late by more than
 * `--over` ms (default 40) is printed with what was running, and so is every SQLite call (statement,
 * pragma) that took longer, with its SQL, every garbage collection that did, and the erasure
 * checkpoint's start and end. It found the erasure TRUNCATE that held the writer's lock while it
 * waited (the probe's `begin immediate` blocked 0.75–1.9 s).
 *
 *   npx tsx bench/retention/stalls.ts [--messages 200000] [--over 40] [--cut-wal]
 *
 * `--cut-wal` truncates the seeder's WAL (gigabytes) before the sweep, as an idle moment would.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { systemClock } from '../../packages/server/src/clock/index.js';
import { checkpointAfterErasure, checkpointerOf } from '../../packages/server/src/db/index.js';
import { deleteInBatches } from '../../packages/server/src/maintenance/index.js';
import { createRetentionSweep } from '../../packages/server/src/retention/index.js';
import { startTestServer } from '../../packages/server/src/testing/start-test-server.js';
import { seed } from './seed.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, over: { type: 'string' }, 'cut-wal': { type: 'boolean' } } });
const N = Number(values.messages ?? 200_000);
const OVER_MS = Number(values.over ?? 40);
if (!Number.isInteger(N) || N < 1 || !(OVER_MS > 0)) {
  console.error('usage: npx tsx bench/retention/stalls.ts [--messages 200000] [--over 40]');
  process.exit(2);
}
const started = performance.now();
const at = (): string => (performance.now() - started).toFixed(0).padStart(7);
let phase = 'seeding';
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

// Every synchronous SQLite call, timed: libsql's Statement and Database prototypes, wrapped once.
type Method = (this: unknown, ...args: unknown[]) => unknown;
function timed(proto: Record<string, Method>, name: string, label: (self: unknown, args: unknown[]) => string): void {
  const original = proto[name]!;
  proto[name] = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const ms = performance.now() - t;
      if (ms > OVER_MS) console.log(`${at()} sqlite ${ms.toFixed(0)} ms (${phase}): ${label(this, args).slice(0, 120)}`);
    }
  };
}
{
  const Database = createRequire(import.meta.url)('libsql') as new (path: string) => { prepare(s: string): object; close(): void };
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Method>;
  const databaseProto = Object.getPrototypeOf(probe) as Record<string, Method>;
  probe.close();
  const sources = new WeakMap<object, string>();
  const prepare = databaseProto.prepare!;
  databaseProto.prepare = function (this: unknown, ...args: unknown[]) {
    const statement = prepare.apply(this, args) as object;
    sources.set(statement, String(args[0]));
    return statement;
  };
  for (const name of ['run', 'all', 'get']) timed(statementProto, name, (self) => sources.get(self as object) ?? '?');
  for (const name of ['exec', 'pragma']) timed(databaseProto, name, (_, args) => `${name} ${String(args[0])}`);
}
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.duration > OVER_MS) console.log(`${at()} gc ${e.duration.toFixed(0)} ms (${phase})`);
}).observe({ entryTypes: ['gc'] });

const server = await startTestServer({ postgresUrl: null });
await server.services.maintenance.run();
await seed(server.db, server.blobs, join(server.dataDir, 'blobs'), { messages: N, families: 100, blobEvery: 10, now: Date.now() });
console.log(`${at()} seeded ${String(N)} messages; load ${load()}`);
const walPath = join(server.dataDir, 'burrow.db-wal');
if (process.argv.includes('--cut-wal')) {
  // The seeder's big transactions leave a WAL of gigabytes, which the erasure's TRUNCATE would cut
  // with the writer's lock held; a server that had an idle moment has cut it already.
  console.log(`${at()} the WAL after seeding: ${(statSync(walPath).size / 2 ** 20).toFixed(0)} MiB; cut while nothing runs`);
  await checkpointAfterErasure(server.db);
}

const checkpointer = checkpointerOf(server.db);
if (checkpointer) {
  const erase = checkpointer.erase.bind(checkpointer);
  Object.assign(checkpointer, {
    erase: async () => {
      const t = performance.now();
      console.log(`${at()} erasure checkpoint starts; the WAL is ${(statSync(walPath).size / 2 ** 20).toFixed(0)} MiB`);
      const done = await erase();
      console.log(`${at()} erasure checkpoint ends after ${(performance.now() - t).toFixed(0)} ms (${done ? 'emptied' : 'busy'})`);
      return done;
    },
  });
}

// The loop's lateness, every 5 ms.
let last = performance.now();
const stalls: number[] = [];
const watchdog = setInterval(() => {
  const now = performance.now();
  const late = now - last - 5;
  last = now;
  if (late > OVER_MS) {
    stalls.push(late);
    console.log(`${at()} event loop late by ${late.toFixed(0)} ms (${phase})`);
  }
}, 5);

// The probe: a write and a read every 20 ms, as requests would. Its rows go to a table of its own, so
// the bench writes no table a capability owns (db/owners.test.ts).
await sql`create table if not exists stalls_probe (key text primary key, at integer not null)`.execute(server.db);
let probeMax = 0;
let probing = true;
let n = 0;
const probe = (async () => {
  while (probing) {
    const t = performance.now();
    await server.db.transaction().execute((trx) => sql`insert into stalls_probe (key, at) values (${`stalls-probe-${String(n++)}`}, ${Date.now()})`.execute(trx));
    await sql`select count(*) from families`.execute(server.db);
    probeMax = Math.max(probeMax, performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();

const sweep = createRetentionSweep({ db: server.db, blobs: server.blobs, bus: server.bus, clock: systemClock });
phase = 'messages';
const messages = await deleteInBatches(sweep.messages);
phase = 'blobs';
const blobs = await deleteInBatches(sweep.blobs);
console.log(`${at()} swept: ${String(messages.deleted)} messages in ${String(messages.batches)} pages, ${String(blobs.deleted)} blobs; load ${load()}`);
phase = 'after the sweep';
await new Promise((resolve) => setTimeout(resolve, 5_000));
probing = false;
await probe;
clearInterval(watchdog);
console.log(
  `stalls over ${String(OVER_MS)} ms: ${String(stalls.length)}, the longest ${Math.max(0, ...stalls).toFixed(0)} ms; the probe's slowest write+read ${probeMax.toFixed(0)} ms; load ${load()}`,
);
await server.close();
process.exit(0);
