/**
 * The `lost_toys` table's owner: toys a guardian marked lost or stolen (docs/safety.md "A lost or
 * stolen toy"). Marking is unpairing (manage.ts: a guardian-signed roster without the toy, its queue
 * and credentials deleted at once) plus this row, so the family still sees which toy it was and when
 * it last checked in. A lost toy that connects again is refused (its credentials are gone) and so
 * wipes itself, as an unpaired toy does.
 */
import type { Db } from '../db/index.js';

export interface LostToy {
  toyId: string;
  childId: string | null;
  lostAt: number;
  lastSeenAt: number | null;
}

export async function putLostToy(db: Db, familyId: string, toy: LostToy): Promise<void> {
  await db
    .insertInto('lost_toys')
    .values({ toy_id: toy.toyId, family_id: familyId, child_id: toy.childId, lost_at: toy.lostAt, last_seen_at: toy.lastSeenAt })
    .onConflict((oc) => oc.column('toy_id').doNothing())
    .execute();
}

export async function lostToysOf(db: Db, familyId: string): Promise<LostToy[]> {
  const rows = await db.selectFrom('lost_toys').selectAll().where('family_id', '=', familyId).orderBy('lost_at', 'desc').execute();
  return rows.map((r) => ({
    toyId: r.toy_id,
    childId: r.child_id,
    lostAt: Number(r.lost_at),
    lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
  }));
}
