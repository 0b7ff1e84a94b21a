/**
 * The owner (STYLE.md 13) of `member_names`: the sealed name each person's device goes by in a family.
 * Rows go with their family or device (foreign keys cascade).
 */
import type { Db } from '../db/index.js';

export async function putMemberName(
  db: Db,
  row: { familyId: string; deviceId: string; ciphertext: string; updatedAt: number },
): Promise<void> {
  const values = { name_ciphertext: row.ciphertext, updated_at: row.updatedAt };
  await db
    .insertInto('member_names')
    .values({ family_id: row.familyId, device_id: row.deviceId, ...values })
    .onConflict((oc) => oc.columns(['family_id', 'device_id']).doUpdateSet(values))
    .execute();
}

/** The sealed name records of a family, by device id. */
export async function memberNamesOf(db: Db, familyId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('member_names')
    .select(['device_id', 'name_ciphertext'])
    .where('family_id', '=', familyId)
    .execute();
  return new Map(rows.map((r) => [r.device_id, r.name_ciphertext]));
}
