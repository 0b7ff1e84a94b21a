/**
 * The retention sweep at scale: N messages (default 200,000) over F families (default 100), created
 * evenly over the last 60 days, each queued for two devices; 90 % fetched by both, 10 % by nobody;
 * one in `--blob-every` (default 10) with a 2 KB blob in the filesystem store. Then one full sweep
 * (retention/sweep.ts, 1,000-message pages as the maintenance runs it) at "now": with the default
 * 30-day period about half the fetched messages are due, and the unfetched ones older than 30 days
 * expire. Reports messages scanned and deleted per second, each page's longest synchronous stretch,
 * and the event loop's p99 delay during the sweep (what a request arriving meanwhile would wait for,
 * at most) beside the same monitor over the idle loop for 5 s in the same run. SQLite.
 *
 *   npx tsx bench/retention.ts [--messages 200000] [--families 100] [--blob-every 10]
 *
 * The rows are seeded by `seed` below into the owners' tables (sending 2 M messages over HTTP would
 * measure the API, not the sweep).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFsBlobs } from '../packages/server/src/blobs/index.js';
import { createMemoryBus } from '../packages/server/src/bus/index.js';
import { ManualClock } from '../packages/server/src/clock/index.js';
import { migrate, openDb } from '../packages/server/src/db/index.js';
import { insertFamily } from '../packages/server/src/families/store.js';
import type { Blobs } from '../packages/server/src/blobs/index.js';
import type { Db } from '../packages/server/src/db/index.js';
import { sql } from 'kysely';
import { deleteInBatches } from '../packages/server/src/maintenance/index.js';
import { blobKey } from '../packages/server/src/messages/store.js';
import { createRetentionSweep } from '../packages/server/src/retention/index.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, families: { type: 'string' }, 'blob-every': { type: 'string' } } });
const N = Number(values.messages ?? 200_000);
const FAMILIES = Number(values.families ?? 100);
const BLOB_EVERY = Number(values['blob-every'] ?? 10);
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 1);

/**
 * Seeds the messages with one `insert … select` per table and chunk, from a recursive CTE of message
 * numbers, into the owners' tables (messages/store.ts: messages, message_recipients, receipts, blobs,
 * family_blob_usage) with the values insertMessage, insertReceipt and insertBlob write. A row per
 * store call took 20 min for 500k messages; this takes seconds per 100k. The blob bytes go through
 * the blob store itself, many at once (its puts share fsyncs).
 */
async function seed(db: Db, blobs: Blobs): Promise<void> {
  for (let f = 0; f < FAMILIES; f++) await insertFamily(db, familyId(f), NOW - 90 * DAY);
  const envelope = JSON.stringify({ v: 1, pad: 'x'.repeat(900) });
  const CHUNK = 100_000;
  for (let start = 0; start < N; start += CHUNK) {
    const end = Math.min(N, start + CHUNK);
    await db.transaction().execute(async (trx) => {
      // Message i: family i mod F, created evenly over the last 60 days, a blob every BLOB_EVERY.
      await sql`
        with recursive n(i) as (select ${sql.lit(start)} union all select i + 1 from n where i + 1 < ${sql.lit(end)})
        insert into messages (id, family_id, sender_id, envelope, blob_hash, created_at)
        select 'm' || i, 'fam' || substr('0000' || (i % ${sql.lit(FAMILIES)}), -4), 'dev-s', ${envelope},
               case when i % ${sql.lit(BLOB_EVERY)} = 0 then 'h' || i end,
               ${sql.lit(NOW - 60 * DAY)} + (i * ${sql.lit(60 * DAY)}) / ${sql.lit(N)}
        from n order by i`.execute(trx);
      const first = Number((await sql<{ seq: number }>`select seq from messages where id = ${`m${String(start)}`}`.execute(trx)).rows[0]?.seq);
      const last = first + (end - start) - 1;
      // Two recipient devices each; 90 % fetched by both (a 'delivered' receipt a second later).
      await sql`
        insert into message_recipients (device_id, message_seq)
        select family_id || d.s, seq from messages, (select '-a' as s union all select '-b') as d
        where seq between ${sql.lit(first)} and ${sql.lit(last)}`.execute(trx);
      await sql`
        insert into receipts (message_seq, device_id, kind, created_at)
        select seq, family_id || d.s, 'delivered', created_at + 1000 from messages, (select '-a' as s union all select '-b') as d
        where seq between ${sql.lit(first)} and ${sql.lit(last)} and cast(substr(id, 2) as integer) % 10 <> 0`.execute(trx);
      await sql`
        insert into blobs (family_id, hash, size, uploaded_by, created_at)
        select family_id, blob_hash, ${sql.lit(BLOB.length)}, 'dev-a', created_at from messages
        where seq between ${sql.lit(first)} and ${sql.lit(last)} and blob_hash is not null`.execute(trx);
    });
  }
  await sql`
    insert into family_blob_usage (family_id, bytes) select family_id, sum(size) from blobs group by family_id
    on conflict (family_id) do update set bytes = excluded.bytes`.execute(db);
  const hashes = await db.selectFrom('blobs').select(['family_id', 'hash']).execute();
  for (let i = 0; i < hashes.length; i += 256)
    await Promise.all(hashes.slice(i, i + 256).map((b) => blobs.put(blobKey(b.family_id, b.hash), BLOB)));
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const familyId = (f: number): string => `fam${String(f).padStart(4, '0')}`;
const BLOB = new Uint8Array(2048).fill(7);

const dir = mkdtempSync(join(tmpdir(), 'burrow-bench-retention-'));
const { db, dialect } = openDb({ kind: 'sqlite', path: join(dir, 'burrow.db') });
const blobs = createFsBlobs(join(dir, 'blobs'));
try {
  await migrate(db, dialect);
  const seedStarted = performance.now();
  await seed(db, blobs);
  console.log(`Seeded ${String(N)} messages (${String(Math.ceil(N / BLOB_EVERY))} with blobs) in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);

  // The peer: the same monitor over an idle event loop for 5 s, same run (on a loaded machine the
  // scheduler alone delays timers).
  const idle = monitorEventLoopDelay({ resolution: 5 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  idle.disable();
  const sweep = createRetentionSweep({ db, blobs, bus: createMemoryBus(), clock: new ManualClock(NOW) });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const busy: number[] = [];
  const sizes: number[] = [];
  const result = await deleteInBatches(
    async (limit) => {
      sizes.push(limit);
      const page = await sweep.messages(limit);
      busy.push(page.busyMs ?? 0);
      return page;
    },
    { batchSize: 1000 },
  );
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const left = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  console.log(
    `Sweep: ${String(N)} messages scanned, ${String(result.deleted)} deleted or expired in ${seconds.toFixed(1)} s ` +
      `(${(N / seconds).toFixed(0)} scanned/s, ${(result.deleted / seconds).toFixed(0)} deleted/s), ${String(result.batches)} pages, ` +
      `longest synchronous stretch per page p50 ${pct(busy, 50).toFixed(0)} ms, p99 ${pct(busy, 99).toFixed(0)} ms, max ${result.slowestMs.toFixed(0)} ms, page size p50 ${String(pct(sizes, 50))}; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms ` +
      `(idle loop, same run: p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms, max ${(idle.max / 1e6).toFixed(1)} ms); ${String(left.n)} rows left; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
