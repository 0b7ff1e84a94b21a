/**
 * The `toy_favourites` table's owner: guardians' signed favourite instructions, in order. The toy
 * fetches its own past a cursor and applies each only if it verifies (docs/protocol.md §18); the
 * family's current favourites are the last instruction per toy and message.
 */
import type { Db } from '../db/index.js';

export interface FavouriteRow {
  familyId: string;
  toyId: string;
  messageId: string;
  keep: boolean;
  instructionJson: string;
  createdAt: number;
}

export async function insertFavourite(db: Db, row: FavouriteRow): Promise<void> {
  await db
    .insertInto('toy_favourites')
    .values({
      family_id: row.familyId,
      toy_id: row.toyId,
      message_id: row.messageId,
      keep: row.keep ? 1 : 0,
      instruction_json: row.instructionJson,
      created_at: row.createdAt,
    })
    .execute();
}

/** The toy's instructions after `after` (its cursor), oldest first. */
export async function favouritesAfter(
  db: Db,
  familyId: string,
  toyId: string,
  after: number,
  limit: number,
): Promise<{ seq: number; messageId: string; instructionJson: string }[]> {
  const rows = await db
    .selectFrom('toy_favourites')
    .select(['seq', 'message_id', 'instruction_json'])
    .where('family_id', '=', familyId)
    .where('toy_id', '=', toyId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), messageId: r.message_id, instructionJson: r.instruction_json }));
}

/**
 * What the family's guardians asked their toys to keep now: for each toy and message the last
 * instruction, when it says keep. A family has few of these (five per toy at a time), so the fold is
 * done here rather than in SQL both dialects would have to agree on.
 */
export async function keptFavourites(db: Db, familyId: string): Promise<{ toyId: string; messageId: string; keptAt: number }[]> {
  const rows = await db
    .selectFrom('toy_favourites')
    .select(['toy_id', 'message_id', 'keep', 'created_at'])
    .where('family_id', '=', familyId)
    .orderBy('seq')
    .execute();
  const last = new Map<string, { toyId: string; messageId: string; keep: boolean; keptAt: number }>();
  for (const r of rows) {
    const key = `${r.toy_id} ${r.message_id}`;
    last.delete(key); // re-inserted below, so the map's order is the order of the latest instructions
    last.set(key, { toyId: r.toy_id, messageId: r.message_id, keep: Number(r.keep) === 1, keptAt: Number(r.created_at) });
  }
  return [...last.values()].filter((f) => f.keep).map(({ toyId, messageId, keptAt }) => ({ toyId, messageId, keptAt }));
}

/** A toy renewed its identity (docs/protocol.md §17.6): its instructions now count for its new id. */
export async function moveToyFavourites(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  await db.updateTable('toy_favourites').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
}
