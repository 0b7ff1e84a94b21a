/**
 * `burrow retention run` — the retention sweep now, outside the server's daily maintenance (after
 * lowering a family's period, or on an installation whose server is stopped). The same sweep, in the
 * same bounded batches, so it is safe beside a running server and safe to interrupt and re-run.
 */
import { openBlobs } from '../blobs/open-blobs.js';
import { createMemoryBus } from '../bus/index.js';
import { parseCommand, UsageError } from '../cli-args.js';
import { systemClock } from '../clock/index.js';
import { parseCoreConfig } from '../config.js';
import { openDb } from '../db/index.js';
import { deleteInBatches } from '../maintenance/index.js';
import { createRetentionSweep } from './sweep.js';

export const RETENTION_HELP = `  retention run [--batch N]             delete the messages past their family's retention period and
                                        expire unfetched ones now (what the daily maintenance does)`;

const USAGE = `Usage: burrow retention run [--batch N]

Deletes every message every recipient fetched that is older than its family's retention period
(default 30 days), expires messages not fetched within 30 days (content and blob deleted; the sender's
sent list says "expired"), deletes expired tombstones after 30 days and blobs no message points at.
Works in batches of N messages (default 1000), each its own transaction; safe to interrupt and re-run.
Configuration comes from the environment, as for the server (BURROW_DATABASE_URL, BURROW_DATA_DIR, …).`;

export async function retentionCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseCommand(args, USAGE, { batch: { type: 'string' } }, { min: 1, max: 1 });
  if (positionals[0] !== 'run') throw new UsageError(`Unknown subcommand '${String(positionals[0])}'.`, USAGE);
  const batchSize = values.batch === undefined ? 1000 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)
    throw new UsageError('--batch takes a whole number from 1 to 100000.', USAGE);
  const config = parseCoreConfig(env);
  const { db } = openDb(config.database);
  try {
    // No socket listens to this process: senders learn "expired" from their sent list instead. No
    // request waits on its event loop either, so the sweep does not rest between its units.
    const sweep = createRetentionSweep({ db, blobs: openBlobs(config), bus: createMemoryBus(), clock: systemClock, restRatio: 0 });
    const started = performance.now();
    // Nobody waits on this process's event loop: whole batches from the start, never shrunk.
    const batch = { batchSize, startSize: batchSize, maxBatchMs: Number.POSITIVE_INFINITY };
    const messages = await deleteInBatches(sweep.messages, batch);
    const blobs = await deleteInBatches(sweep.blobs, batch);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Retention sweep done in ${seconds} s: ${String(messages.deleted)} message(s) deleted or expired, ${String(blobs.deleted)} unreferenced blob(s) deleted.`);
    console.log(`  ${String(messages.batches + blobs.batches)} batches, the slowest ${Math.max(messages.slowestMs, blobs.slowestMs).toFixed(1)} ms.`);
  } finally {
    await db.destroy();
  }
}
