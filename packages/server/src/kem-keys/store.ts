/**
 * The `device_kem_keys` table's owner (STYLE.md 13): the newest KEM key record each device has
 * published (docs/protocol.md §14). Other capabilities read it through `latestEpochs`, or as fact rows
 * in a combined read (`epochFacts`, db/facts.ts).
 */
import type { KemKeyRecord } from '@burrow/protocol';
import type { Db } from '../db/index.js';
import { compiledInList } from '../db/compiled.js';
import { factName, noFact, type FactQuery } from '../db/facts.js';

/**
 * Stores `record` as its device's newest, only if it is newer than the one held (an older or equal
 * epoch changes nothing). Returns whether it was stored. One statement, so two racing publishes
 * cannot leave an older epoch in place of a newer one.
 */
export async function putNewerRecord(db: Db, record: KemKeyRecord, publishedAt: number): Promise<boolean> {
  const row = {
    device_id: record.deviceId,
    epoch: record.epoch,
    record_json: JSON.stringify(record),
    published_at: publishedAt,
  };
  const result = await db
    .insertInto('device_kem_keys')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('device_id')
        .doUpdateSet({ epoch: record.epoch, record_json: row.record_json, published_at: publishedAt })
        .where('device_kem_keys.epoch', '<', record.epoch),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The held records of these devices (those that rotated), by device id. */
export async function recordsOf(db: Db, deviceIds: readonly string[]): Promise<KemKeyRecord[]> {
  if (deviceIds.length === 0) return [];
  const rows = await db
    .selectFrom('device_kem_keys')
    .select('record_json')
    .where('device_id', 'in', [...deviceIds])
    .orderBy('device_id')
    .execute();
  // Stored only after verification, so trusted as-is.
  return rows.map((r) => JSON.parse(r.record_json) as KemKeyRecord);
}

/** The newest published epoch of each of these devices that rotated (0 for the others is implied). */
export async function latestEpochs(db: Db, deviceIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await epochsOf.all(db, deviceIds);
  return new Map(rows.map((r) => [r.device_id, Number(r.epoch)]));
}

/**
 * The newest epoch each of these devices published, as fact rows 'epoch' (id: the device, n: the
 * epoch; a device that never rotated has none): the send's KEM-epoch check reads it in its combined
 * read (messages/send-facts.ts).
 */
export function epochFacts(db: Db, deviceIds: readonly string[]): FactQuery {
  return db
    .selectFrom('device_kem_keys')
    .select([factName('epoch').as('fact'), 'device_id as id', 'epoch as n', noFact().as('s')])
    .where('device_id', 'in', deviceIds as string[]);
}

const epochsOf = compiledInList(0, (db, deviceIds) =>
  db.selectFrom('device_kem_keys').select(['device_id', 'epoch']).where('device_id', 'in', deviceIds as string[]),
);
