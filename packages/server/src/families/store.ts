/**
 * The owner (STYLE.md 13) of the family tables: `families`, `children` (sealed profiles), `rosters`
 * (signed roster versions, stored only after verification) and `family_members` (derived from the
 * current roster: who may read the family over HTTP). Every function takes the database or a
 * transaction, so a family, its roster and its members are written in one transaction.
 */
import type { RosterWire } from '@burrow/protocol';
import { SqliteAdapter, type Transaction } from 'kysely';
import type { Database, Db, MemberRole } from '../db/index.js';

/** Creates the family row (fails on the primary key when the id is taken). */
export async function insertFamily(db: Db, familyId: string, createdAt: number): Promise<void> {
  await db.insertInto('families').values({ id: familyId, created_at: createdAt }).execute();
}

/** Of `ids`, those that are families. */
export async function existingFamilies(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('families').select('id').where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Of `ids`, the families that exist, each kept from being deleted until `trx` ends: FOR KEY SHARE on
 * PostgreSQL (an erasure's DELETE of the family row waits for the commit, and a family already deleted
 * by an uncommitted erasure is waited for and then not found); on SQLite a transaction already holds
 * the one write lock. A write naming a family checks it here and writes in the same transaction, so
 * an erasure is wholly before it (no family: 404) or wholly after (its cascade takes the write), never
 * between the check and the write, where the write met the foreign key and answered 500.
 */
export async function lockExistingFamilies(trx: Transaction<Database>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let q = trx.selectFrom('families').select('id').where('id', 'in', [...ids]);
  if (!(trx.getExecutor().adapter instanceof SqliteAdapter)) q = q.forKeyShare();
  return new Set((await q.execute()).map((f) => f.id));
}

/**
 * The families' rows locked against another change of their guardians (PostgreSQL FOR NO KEY UPDATE,
 * in id order so two such transactions never wait on each other crosswise; SQLite's transaction holds
 * the one write lock already). It does not wait for the key shares ordinary writes hold, only for
 * another holder of this lock or a family erasure.
 */
export async function lockFamiliesForGuardianChange(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || trx.getExecutor().adapter instanceof SqliteAdapter) return;
  await trx.selectFrom('families').select('id').where('id', 'in', [...ids]).orderBy('id').forNoKeyUpdate().execute();
}

/**
 * The erasure's first statement: the family row locked FOR UPDATE (PostgreSQL; SQLite's transaction
 * holds the one write lock already). A write holding lockExistingFamilies' key share is waited for
 * before anything is deleted, so it never waits in turn on a row the erasure deleted earlier in its
 * transaction (a toy's device, say) while the erasure waits on its share: no deadlock, and its rows
 * go with the family's cascade. Writes that come after wait until the erasure commits, then 404.
 */
export async function lockFamilyForErasure(trx: Transaction<Database>, familyId: string): Promise<void> {
  if (trx.getExecutor().adapter instanceof SqliteAdapter) return;
  await trx.selectFrom('families').select('id').where('id', '=', familyId).forUpdate().execute();
}

/** Stores a child's sealed profile record (JSON of a verified `record` envelope). */
export async function insertChild(
  db: Db,
  child: { id: string; familyId: string; profileCiphertext: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('children')
    .values({
      id: child.id,
      family_id: child.familyId,
      profile_ciphertext: child.profileCiphertext,
      created_at: child.createdAt,
    })
    .execute();
}

/** Replaces a child's sealed profile (re-sealed to a newer roster); false when no such child. */
export async function replaceChildProfile(
  db: Db,
  familyId: string,
  childId: string,
  profileCiphertext: string,
): Promise<boolean> {
  const result = await db
    .updateTable('children')
    .set({ profile_ciphertext: profileCiphertext })
    .where('id', '=', childId)
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Whether `childId` is a child of `familyId`. */
export async function isFamilyChild(db: Db, familyId: string, childId: string): Promise<boolean> {
  const row = await db
    .selectFrom('children')
    .select('id')
    .where('id', '=', childId)
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts a verified roster; a concurrent publish of the same version fails on the primary key. */
export async function insertRoster(db: Db, roster: RosterWire, rosterHash: string, now: number): Promise<void> {
  await db
    .insertInto('rosters')
    .values({
      family_id: roster.familyId,
      version: roster.version,
      roster: JSON.stringify(roster),
      roster_hash: rosterHash,
      created_at: now,
    })
    .execute();
}

/** Account ids of the members of each of these families, in one statement (a family with none is absent). */
export async function memberAccountIdsOf(db: Db, familyIds: readonly string[]): Promise<Map<string, string[]>> {
  const members = new Map<string, string[]>();
  if (familyIds.length === 0) return members;
  const rows = await db.selectFrom('family_members').select(['family_id', 'account_id']).where('family_id', 'in', [...familyIds]).execute();
  for (const r of rows) {
    const list = members.get(r.family_id);
    if (list) list.push(r.account_id);
    else members.set(r.family_id, [r.account_id]);
  }
  return members;
}

/** Account ids of the family's members. */
export async function memberAccountIds(db: Db, familyId: string): Promise<string[]> {
  const rows = await db.selectFrom('family_members').select('account_id').where('family_id', '=', familyId).execute();
  return rows.map((r) => r.account_id);
}

/** The families an account is a member of. */
export async function familiesOfAccount(db: Db, accountId: string): Promise<string[]> {
  const rows = await db.selectFrom('family_members').select('family_id').where('account_id', '=', accountId).execute();
  return rows.map((r) => r.family_id);
}

/** Replaces the family's members with `roles` (account id → role). */
export async function replaceMembers(db: Db, familyId: string, roles: ReadonlyMap<string, MemberRole>): Promise<void> {
  await db.deleteFrom('family_members').where('family_id', '=', familyId).execute();
  if (roles.size > 0)
    await db
      .insertInto('family_members')
      .values([...roles].map(([account_id, role]) => ({ family_id: familyId, account_id, role })))
      .execute();
}

/** Ends one account's membership now (a block), ahead of the roster that removes its devices. */
export async function removeMember(db: Db, familyId: string, accountId: string): Promise<void> {
  await db.deleteFrom('family_members').where('family_id', '=', familyId).where('account_id', '=', accountId).execute();
}

/** Deletes a child's sealed profile (child deletion, erasure/); false when there was none. */
export async function deleteChildRow(db: Db, familyId: string, childId: string): Promise<boolean> {
  const result = await db.deleteFrom('children').where('id', '=', childId).where('family_id', '=', familyId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Deletes the family's own rows — members, children, every roster version, the family (family
 * deletion, erasure/). The other capabilities' rows of the family are deleted by their owners first.
 */
export async function deleteFamilyRows(db: Db, familyId: string): Promise<void> {
  await db.deleteFrom('family_members').where('family_id', '=', familyId).execute();
  await db.deleteFrom('children').where('family_id', '=', familyId).execute();
  await db.deleteFrom('rosters').where('family_id', '=', familyId).execute();
  await db.deleteFrom('families').where('id', '=', familyId).execute();
}

/** Families other than `familyId` with a roster version (current or old) that mentions `deviceId`. */
export async function familiesMentioning(db: Db, deviceId: string, familyId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('rosters')
    .select('family_id')
    .distinct()
    .where('family_id', '!=', familyId)
    .where('roster', 'like', `%"${deviceId}"%`)
    .execute();
  return rows.map((r) => r.family_id);
}

/** Account ids of the family's guardians. */
export async function guardiansOf(db: Db, familyId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('family_members')
    .select('account_id')
    .where('family_id', '=', familyId)
    .where('role', '=', 'guardian')
    .execute();
  return rows.map((r) => r.account_id);
}
