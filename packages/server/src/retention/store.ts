/**
 * The owner (STYLE.md 13) of `family_retention`: each family's chosen retention period. A family
 * without a row keeps the default (RETENTION_DAYS.default in @burrow/api). Takes the database or a
 * transaction, like every store.
 */
import { RETENTION_DAYS } from '@burrow/api';
import type { Db } from '../db/index.js';

/** The retention period of each of `familyIds`, in days (the default where none was chosen). */
export async function retentionDaysOf(db: Db, familyIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(familyIds.map((id) => [id, RETENTION_DAYS.default]));
  if (familyIds.length === 0) return out;
  const rows = await db
    .selectFrom('family_retention')
    .select(['family_id', 'days'])
    .where('family_id', 'in', [...new Set(familyIds)])
    .execute();
  for (const r of rows) out.set(r.family_id, r.days);
  return out;
}

/** Sets a family's retention period (the caller checked 1-365; the table's CHECK holds it too). */
export async function setRetentionDays(db: Db, change: { familyId: string; days: number; by: string; at: number }): Promise<void> {
  await db
    .insertInto('family_retention')
    .values({ family_id: change.familyId, days: change.days, updated_by: change.by, updated_at: change.at })
    .onConflict((oc) =>
      oc.column('family_id').doUpdateSet({ days: change.days, updated_by: change.by, updated_at: change.at }),
    )
    .execute();
}
