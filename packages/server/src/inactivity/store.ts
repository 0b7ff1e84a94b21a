/**
 * The one owner of `family_inactivity` (migration 0870): per family, the latest member sign-in the
 * daily maintenance has seen, and the warning state of a family past the inactivity period.
 */
import type { Db } from '../db/index.js';
import { lockExistingFamilies } from '../families/access.js';

export interface FamilyInactivity {
  familyId: string;
  createdAt: number;
  /** null: the maintenance has not seen this family yet. */
  lastSignInAt: number | null;
  warnedAt: number | null;
  deleteAfter: number | null;
}

/** Up to `limit` families after `afterId` (in id order), with their inactivity row if any. */
export async function familyPage(db: Db, afterId: string, limit: number): Promise<FamilyInactivity[]> {
  const rows = await db
    .selectFrom('families')
    .leftJoin('family_inactivity', 'family_inactivity.family_id', 'families.id')
    .select(['families.id', 'families.created_at', 'family_inactivity.last_sign_in_at', 'family_inactivity.warned_at', 'family_inactivity.delete_after'])
    .where('families.id', '>', afterId)
    .orderBy('families.id')
    .limit(limit)
    .execute();
  const n = (v: number | string | null): number | null => (v === null ? null : Number(v));
  return rows.map((r) => ({
    familyId: r.id,
    createdAt: Number(r.created_at),
    lastSignInAt: n(r.last_sign_in_at),
    warnedAt: n(r.warned_at),
    deleteAfter: n(r.delete_after),
  }));
}

/** A family's latest sign-in seen by the sweep, to be recorded (`recordSignIns`). */
export interface SignInSeen {
  familyId: string;
  at: number;
}

/**
 * Records the latest sign-in seen of each family and clears any warning (a sign-in cancels the
 * deletion), all in one transaction: one commit (one WAL flush) for a slice of the sweep's page
 * instead of one per family. On PostgreSQL a commit per family cost 3.6-4.4 ms (its WAL flush), about
 * 50 minutes for a first run over CloudPets' 821,396 families (docs/performance.md, "Inactive
 * families: one commit per 100 sign-ins"). The families are checked under a
 * lock in the same transaction (families/access.ts lockExistingFamilies): one a guardian erased
 * after the sweep read its page gets no row instead of failing the job on the foreign key. Returns
 * the families recorded.
 */
export async function recordSignIns(db: Db, seen: readonly SignInSeen[]): Promise<Set<string>> {
  if (seen.length === 0) return new Set();
  return db.transaction().execute(async (trx) => {
    const existing = await lockExistingFamilies(
      trx,
      seen.map((s) => s.familyId),
    );
    const rows = seen.filter((s) => existing.has(s.familyId)).map((s) => ({ family_id: s.familyId, last_sign_in_at: s.at, warned_at: null, delete_after: null }));
    if (rows.length > 0)
      await trx
        .insertInto('family_inactivity')
        .values(rows)
        .onConflict((oc) =>
          oc.column('family_id').doUpdateSet((eb) => ({ last_sign_in_at: eb.ref('excluded.last_sign_in_at'), warned_at: null, delete_after: null })),
        )
        .execute();
    return existing;
  });
}

/** Marks the family warned, unless it already was (so a second node or run mails nobody twice); true when this call marked it. */
export async function markWarned(db: Db, familyId: string, at: number, deleteAfter: number): Promise<boolean> {
  const result = await db
    .updateTable('family_inactivity')
    .set({ warned_at: at, delete_after: deleteAfter })
    .where('family_id', '=', familyId)
    .where('warned_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Takes a warning back (its mail could not be sent: the next run tries again). */
export async function clearWarning(db: Db, familyId: string): Promise<void> {
  await db.updateTable('family_inactivity').set({ warned_at: null, delete_after: null }).where('family_id', '=', familyId).execute();
}
