/**
 * A toy's identity succession on the server (docs/protocol.md §17.6). A toy's id is derived from its
 * identity key, and the server keys what it keeps for a toy by that id; when a guardian publishes the
 * roster that swaps the toy's entry, everything the server holds for the toy passes to the new id in
 * the same transaction, through each table's owner. The caller then deletes the old device row, and
 * with it the old bearer token, pairing row, presence and KEM key records (foreign keys cascade), so
 * nothing presented under the old identity is accepted afterwards.
 *
 * The signed records that name the toy (settings, reviews, favourite instructions) are not rewritten:
 * the server cannot sign. The guardian's device that performs the succession signs the settings
 * again for the new id; reviews and favourites the toy already holds stay valid on it because it
 * checks them against the identity they were made for (the toy's previous ids).
 */
import type { Db } from '../db/index.js';
import { takeToyPlacement } from './store.js';
import { moveToyFavourites } from '../favourites/store.js';
import { moveToyReviews } from '../review/store.js';
import { moveUpdateReport } from '../updates/store.js';
import { moveToyRows } from '../toys/store.js';

export async function succeedToy(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  await takeToyPlacement(db, fromToyId, toToyId);
  await moveToyRows(db, fromToyId, toToyId);
  await moveToyReviews(db, fromToyId, toToyId);
  await moveToyFavourites(db, fromToyId, toToyId);
  await moveUpdateReport(db, fromToyId, toToyId);
}
