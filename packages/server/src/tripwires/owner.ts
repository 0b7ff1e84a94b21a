/**
 * Whose password set a tripwire event is about, when the check did not say (a caller that verified a
 * stored hash without naming its account). Found through the `accounts_password_salt` index
 * (migration 0940): the first 80 characters of the PHC string, then the whole string compared.
 *
 * Threat model (docs/security.md, "Finding the account of an event"): the index is read by the
 * server only; someone holding a copy of the database gains nothing from it. It is a prefix of
 * `accounts.password_hash` (algorithm, costs, the per-set random salt), data already in the row
 * beside it, and the salt is shared by the real password and every decoy, so no part of it depends
 * on which sweetword is real: it cannot help tell them apart, offline or online. No new column, no
 * keyed value: a key would protect nothing here.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

/** The indexed prefix's length: the expression must match migration 0940's character for character. */
const PREFIX = 80;

/** The account whose `password_hash` is exactly `passwordHash`, by index; undefined if none. */
export async function accountIdByPasswordHash(db: Db, passwordHash: string): Promise<string | undefined> {
  const row = await accountByPasswordHashQuery(db, passwordHash).executeTakeFirst();
  return row?.id;
}

/** The query `accountIdByPasswordHash` runs (its plan is checked on both engines: owner.test.ts). */
export function accountByPasswordHashQuery(db: Db, passwordHash: string) {
  return db
    .selectFrom('accounts')
    .select('id')
    .where(sql<string>`substr(password_hash, 1, 80)`, '=', passwordHash.slice(0, PREFIX))
    .where('password_hash', '=', passwordHash)
    // A salt is random per set, so one row; the limit keeps a copied hash (the CloudPets bench's clones share one) from listing them all.
    .limit(1);
}
