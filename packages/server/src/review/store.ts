/**
 * The owner (STYLE.md 13) of review before play's tables: `message_reviews` (a message held for a
 * guardian's review, per toy) and `review_releases` (the order approved messages reach each toy).
 * Every function takes the database or a transaction: a message is held in the same transaction
 * that stores it (messages/service.ts).
 */
import type { Db } from '../db/index.js';

/** Holds message `seq` for review on each of `toyIds`. */
export async function holdForReview(
  db: Db,
  seq: number,
  familyId: string,
  toyIds: readonly string[],
  now: number,
): Promise<void> {
  if (toyIds.length === 0) return;
  await db
    .insertInto('message_reviews')
    .values(
      toyIds.map((toyId) => ({
        message_seq: seq,
        toy_id: toyId,
        family_id: familyId,
        state: 'waiting' as const,
        review: null,
        created_at: now,
        decided_at: null,
      })),
    )
    .execute();
}

/**
 * Approves a waiting message for one toy with its guardian-signed review and releases it to the toy's
 * feed; returns the feed's sequence number, or null when it no longer waits (another guardian decided).
 */
export async function approveForToy(
  db: Db,
  seq: number,
  toyId: string,
  review: string,
  now: number,
): Promise<number | null> {
  const updated = await db
    .updateTable('message_reviews')
    .set({ state: 'approved', review, decided_at: now })
    .where('message_seq', '=', seq)
    .where('toy_id', '=', toyId)
    .where('state', '=', 'waiting')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return null;
  const row = await db
    .insertInto('review_releases')
    .values({ message_seq: seq, toy_id: toyId, created_at: now })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return row.seq;
}

/** Declines a waiting message on every toy; returns false when it no longer waits. */
export async function declineWaiting(db: Db, seq: number, now: number): Promise<boolean> {
  const updated = await db
    .updateTable('message_reviews')
    .set({ state: 'declined', decided_at: now })
    .where('message_seq', '=', seq)
    .where('state', '=', 'waiting')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Deletes a family's reviews and their release feed (family deletion, erasure/; before its messages). */
export async function deleteFamilyReviews(db: Db, familyId: string): Promise<void> {
  const seqs = db.selectFrom('message_reviews').select('message_seq').where('family_id', '=', familyId);
  await db.deleteFrom('review_releases').where('message_seq', 'in', seqs).execute();
  await db.deleteFrom('message_reviews').where('family_id', '=', familyId).execute();
}

/** A toy renewed its identity (docs/protocol.md §17.6): what waits for review, or was released, for it follows. */
export async function moveToyReviews(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  await db.updateTable('message_reviews').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
  await db.updateTable('review_releases').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
}
