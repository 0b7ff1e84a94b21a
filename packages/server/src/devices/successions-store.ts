/**
 * The `device_successions` table's owner (STYLE.md 13): identity succession requests waiting for a
 * guardian device, and the countersigned successions kept beside the roster versions that performed
 * them (docs/protocol.md §17).
 */
import type { SuccessionRequest, SuccessionWire } from '@burrow/protocol';
import type { Db } from '../db/index.js';

/** Keeps a device's pending request, replacing an earlier pending one of the same device. */
export async function putPendingRequest(db: Db, request: SuccessionRequest, now: number): Promise<void> {
  await db
    .deleteFrom('device_successions')
    .where('family_id', '=', request.familyId)
    .where('from_id', '=', request.from)
    .where('roster_version', 'is', null)
    .execute();
  await db
    .insertInto('device_successions')
    .values({ family_id: request.familyId, from_id: request.from, to_id: request.to, record: JSON.stringify(request), roster_version: null, created_at: now })
    .execute();
}

/** The family's pending requests, oldest first. */
export async function pendingRequests(db: Db, familyId: string): Promise<SuccessionRequest[]> {
  const rows = await db
    .selectFrom('device_successions')
    .select('record')
    .where('family_id', '=', familyId)
    .where('roster_version', 'is', null)
    .orderBy('created_at')
    .orderBy('from_id')
    .execute();
  return rows.map((r) => JSON.parse(r.record) as SuccessionRequest);
}

/** The pending request of `fromId` in the family, if any. */
export async function pendingRequestOf(db: Db, familyId: string, fromId: string): Promise<SuccessionRequest | undefined> {
  const row = await db
    .selectFrom('device_successions')
    .select('record')
    .where('family_id', '=', familyId)
    .where('from_id', '=', fromId)
    .where('roster_version', 'is', null)
    .executeTakeFirst();
  return row && (JSON.parse(row.record) as SuccessionRequest);
}

/** Replaces the pending request with the countersigned succession of the roster version that performed it. */
export async function completeSuccession(db: Db, succession: SuccessionWire, now: number): Promise<void> {
  await db.deleteFrom('device_successions').where('family_id', '=', succession.familyId).where('from_id', '=', succession.from).execute();
  await db
    .insertInto('device_successions')
    .values({
      family_id: succession.familyId,
      from_id: succession.from,
      to_id: succession.to,
      record: JSON.stringify(succession),
      roster_version: succession.rosterVersion,
      created_at: now,
    })
    .execute();
}

/** Countersigned successions of roster versions after `after`, oldest first. */
export async function successionsAfter(db: Db, familyId: string, after: number): Promise<SuccessionWire[]> {
  const rows = await db
    .selectFrom('device_successions')
    .select('record')
    .where('family_id', '=', familyId)
    .where('roster_version', '>', after)
    .orderBy('roster_version')
    .execute();
  return rows.map((r) => JSON.parse(r.record) as SuccessionWire);
}
