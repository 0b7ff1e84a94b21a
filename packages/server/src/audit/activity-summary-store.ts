/**
 * The one owner of `activity_summaries` (migration 0871): which guardians asked for the weekly
 * activity summary mail of which family, and when the last one went.
 */
import type { Db } from '../db/index.js';

export interface SummarySubscription {
  familyId: string;
  accountId: string;
  createdAt: number;
  lastSentAt: number | null;
}

const toSubscription = (r: { family_id: string; account_id: string; created_at: number | string; last_sent_at: number | string | null }): SummarySubscription => ({
  familyId: r.family_id,
  accountId: r.account_id,
  createdAt: Number(r.created_at),
  lastSentAt: r.last_sent_at === null ? null : Number(r.last_sent_at),
});

export async function summarySubscription(db: Db, familyId: string, accountId: string): Promise<SummarySubscription | undefined> {
  const row = await db.selectFrom('activity_summaries').selectAll().where('family_id', '=', familyId).where('account_id', '=', accountId).executeTakeFirst();
  return row && toSubscription(row);
}

/** Opts in (keeping an existing row's schedule) or out. */
export async function setSummarySubscription(db: Db, familyId: string, accountId: string, enabled: boolean, now: number): Promise<void> {
  if (!enabled) {
    await db.deleteFrom('activity_summaries').where('family_id', '=', familyId).where('account_id', '=', accountId).execute();
    return;
  }
  await db
    .insertInto('activity_summaries')
    .values({ family_id: familyId, account_id: accountId, created_at: now, last_sent_at: null })
    .onConflict((oc) => oc.columns(['family_id', 'account_id']).doNothing())
    .execute();
}

/** Up to `limit` subscriptions whose last summary (or opt-in) is at or before `dueBefore`. */
export async function dueSummaries(db: Db, dueBefore: number, limit: number): Promise<SummarySubscription[]> {
  const rows = await db
    .selectFrom('activity_summaries')
    .selectAll()
    .where((eb) => eb(eb.fn.coalesce('last_sent_at', 'created_at'), '<=', dueBefore))
    .orderBy('family_id')
    .orderBy('account_id')
    .limit(limit)
    .execute();
  return rows.map(toSubscription);
}

export async function markSummarySent(db: Db, familyId: string, accountId: string, at: number): Promise<void> {
  await db.updateTable('activity_summaries').set({ last_sent_at: at }).where('family_id', '=', familyId).where('account_id', '=', accountId).execute();
}

/** Events of the family's activity log by kind since `since` (the summary's counts). */
export async function activityCounts(db: Db, familyId: string, since: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('family_activity')
    .select((eb) => ['kind', eb.fn.countAll<number>().as('n')])
    .where('family_id', '=', familyId)
    .where('at', '>=', since)
    .groupBy('kind')
    .execute();
  return new Map(rows.map((r) => [r.kind, Number(r.n)]));
}
