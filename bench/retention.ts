/**
 * The retention sweep at scale: N messages (default 200,000) over F families (default 100), created
 * evenly over the last 60 days, each queued for two devices; 90 % fetched by both, 10 % by nobody;
 * one in `--blob-every` (default 10) with a 2 KB blob in the filesystem store. Then one full sweep
 * (retention/sweep.ts, 1,000-message pages as the maintenance runs it) at "now": with the default
 * 30-day period about half the fetched messages are due, and the unfetched ones older than 30 days
 * expire. Reports messages scanned and deleted per second, the slowest page, and the event loop's
 * p99 delay during the sweep (what a request arriving meanwhile would wait for, at most). SQLite.
 *
 *   npx tsx bench/retention.ts [--messages 200000] [--families 100] [--blob-every 10]
 *
 * Rows are written through the owners (messages/store.ts, families/store.ts), in transactions of
 * 1,000 messages; sending 200,000 messages over HTTP would measure the API, not the sweep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFsBlobs } from '../packages/server/src/blobs/index.js';
import { createMemoryBus } from '../packages/server/src/bus/index.js';
import { ManualClock } from '../packages/server/src/clock/index.js';
import { migrate, openDb } from '../packages/server/src/db/index.js';
import { insertFamily } from '../packages/server/src/families/store.js';
import { deleteInBatches } from '../packages/server/src/maintenance/index.js';
import { blobKey, insertBlob, insertMessage, insertReceipt } from '../packages/server/src/messages/store.js';
import { createRetentionSweep } from '../packages/server/src/retention/index.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, families: { type: 'string' }, 'blob-every': { type: 'string' } } });
const N = Number(values.messages ?? 200_000);
const FAMILIES = Number(values.families ?? 100);
const BLOB_EVERY = Number(values['blob-every'] ?? 10);
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 1);

const dir = mkdtempSync(join(tmpdir(), 'burrow-bench-retention-'));
const { db, dialect } = openDb({ kind: 'sqlite', path: join(dir, 'burrow.db') });
const blobs = createFsBlobs(join(dir, 'blobs'));
try {
  await migrate(db, dialect);
  const seedStarted = performance.now();
  for (let f = 0; f < FAMILIES; f++) await insertFamily(db, `fam${String(f).padStart(4, '0')}`, NOW - 90 * DAY);
  const envelope = JSON.stringify({ v: 1, pad: 'x'.repeat(900) });
  const blob = new Uint8Array(2048).fill(7);
  for (let start = 0; start < N; start += 1000) {
    await db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        const familyId = `fam${String(i % FAMILIES).padStart(4, '0')}`;
        const createdAt = NOW - 60 * DAY + Math.floor((i / N) * 60 * DAY);
        const hash = i % BLOB_EVERY === 0 ? `h${String(i)}` : null;
        if (hash !== null) {
          await blobs.put(blobKey(familyId, hash), blob);
          await insertBlob(trx, { familyId, hash, size: blob.length, uploadedBy: 'dev-a', createdAt });
        }
        const devices = [`${familyId}-a`, `${familyId}-b`];
        const seq = await insertMessage(trx, { id: `m${String(i)}`, familyId, senderId: 'dev-s', envelope, blobHash: hash, createdAt }, devices);
        if (i % 10 !== 0) for (const deviceId of devices) await insertReceipt(trx, { messageSeq: seq, deviceId, kind: 'delivered', createdAt: createdAt + 1000 });
      }
    });
  }
  console.log(`Seeded ${String(N)} messages (${String(Math.ceil(N / BLOB_EVERY))} with blobs) in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);

  const sweep = createRetentionSweep({ db, blobs, bus: createMemoryBus(), clock: new ManualClock(NOW) });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const result = await deleteInBatches(sweep.messages, { batchSize: 1000 });
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const left = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  console.log(
    `Sweep: ${String(N)} messages scanned, ${String(result.deleted)} deleted or expired in ${seconds.toFixed(1)} s ` +
      `(${(N / seconds).toFixed(0)} scanned/s, ${(result.deleted / seconds).toFixed(0)} deleted/s), ${String(result.batches)} pages, ` +
      `slowest page ${result.slowestMs.toFixed(0)} ms; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms; ${String(left.n)} rows left`,
  );
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
