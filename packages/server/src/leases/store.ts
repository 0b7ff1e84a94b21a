/**
 * The owner of `scheduled_runs` (docs/architecture.md): one row per scheduled job, claimed by the
 * node that runs its current period. The claim is one conditional UPDATE, atomic on SQLite and on
 * PostgreSQL (under READ COMMITTED a second UPDATE waits for the first's row lock, re-reads the row
 * and then no longer matches), so of any number of nodes at most one claims a period.
 */
import type { Db } from '../db/index.js';

/** Claims `job` for `node` at `now` unless a node claimed it less than `gapMs` ago; true if claimed. */
export async function claimRun(
  db: Db,
  job: string,
  node: string,
  now: number,
  gapMs: number,
): Promise<boolean> {
  await db
    .insertInto('scheduled_runs')
    .values({ job, claimed_at: 0, node: '' })
    .onConflict((oc) => oc.column('job').doNothing())
    .execute();
  const result = await db
    .updateTable('scheduled_runs')
    .set({ claimed_at: now, node })
    .where('job', '=', job)
    .where('claimed_at', '<=', now - gapMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Who claimed `job` last and when (undefined: never run). */
export async function lastClaim(
  db: Db,
  job: string,
): Promise<{ node: string; claimedAt: number } | undefined> {
  const row = await db
    .selectFrom('scheduled_runs')
    .select(['node', 'claimed_at'])
    .where('job', '=', job)
    .executeTakeFirst();
  return row && row.claimed_at > 0 ? { node: row.node, claimedAt: Number(row.claimed_at) } : undefined;
}
