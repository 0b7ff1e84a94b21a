/**
 * Who may touch a family. Non-members get the same 404 as for a family that does not exist, so ids
 * cannot be probed; members lacking a right get 403.
 */
import type { Transaction } from 'kysely';
import type { DeviceCaller } from '../auth/index.js';
import type { Database, Db, MemberRole } from '../db/index.js';
import { familyOfDevice } from '../devices/store.js';
import { forbidden, notFound } from '../errors/index.js';
import { lockExistingFamilies } from './store.js';

// Published here (access.ts is the folder's public face): the activity log's flush locks the same way.
export { lockExistingFamilies };

export const noSuchFamily = () => notFound('family_not_found', 'No such family.');

/** A person acting in a family: their account, and the registered device the request acts as. */
export interface Actor {
  accountId: string;
  deviceId: string;
}

export async function memberRole(
  db: Db,
  familyId: string,
  accountId: string,
): Promise<MemberRole | undefined> {
  const row = await db
    .selectFrom('family_members')
    .select('role')
    .where('family_id', '=', familyId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.role;
}

export async function requireMember(db: Db, familyId: string, accountId: string): Promise<MemberRole> {
  const role = await memberRole(db, familyId, accountId);
  if (!role) throw noSuchFamily();
  return role;
}

export async function requireGuardian(db: Db, familyId: string, accountId: string): Promise<void> {
  const role = await requireMember(db, familyId, accountId);
  if (role !== 'guardian') throw forbidden('guardian_only', 'Only a guardian of this family can do that.');
}

/**
 * Runs `write` in one transaction with the guardian check, the family kept from being deleted until
 * it commits (store.ts lockExistingFamilies). For a guardian's setting stored in a table that names
 * the family by foreign key: checked first and written after in two statements, an erasure committing
 * between them made the write fail on the key (a 500) instead of the 404 of a family that is gone.
 */
export function asGuardianOfExistingFamily<T>(
  db: Db,
  familyId: string,
  accountId: string,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return inExistingFamily(db, familyId, (trx) => requireGuardian(trx, familyId, accountId), write);
}

/** asGuardianOfExistingFamily for what any member may write (a person's own name record). */
export function asMemberOfExistingFamily<T>(
  db: Db,
  familyId: string,
  accountId: string,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return inExistingFamily(db, familyId, (trx) => requireMember(trx, familyId, accountId), write);
}

/**
 * For a write already in a transaction of its own (a roster, a pairing, a join request): its first
 * statement, so the family is kept from being erased until the transaction ends, or 404 when an
 * erasure got there first (never the foreign-key 500 of a write meeting a deleted family).
 */
export async function lockFamilyOrNotFound(trx: Transaction<Database>, familyId: string): Promise<void> {
  if (!(await lockExistingFamilies(trx, [familyId])).has(familyId)) throw noSuchFamily();
}

/**
 * asGuardianOfExistingFamily for a write whose caller was checked already, or is not a person (a toy):
 * the family locked against its erasure (or 404), then `write`, in one transaction.
 */
export function writeInExistingFamily<T>(
  db: Db,
  familyId: string,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return inExistingFamily(db, familyId, () => Promise.resolve(), write);
}

/** The family locked against its erasure (or 404), the caller's right checked, then `write`, in one transaction. */
function inExistingFamily<T>(
  db: Db,
  familyId: string,
  check: (trx: Transaction<Database>) => Promise<unknown>,
  write: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await lockFamilyOrNotFound(trx, familyId);
    await check(trx);
    return write(trx);
  });
}

/** A person's device whose account is a member, or a toy paired to the family. */
export async function requireFamilyDevice(db: Db, familyId: string, caller: DeviceCaller): Promise<void> {
  if (caller.kind === 'person') {
    if (caller.accountId === null) throw noSuchFamily();
    await requireMember(db, familyId, caller.accountId);
    return;
  }
  // The auth hook already read the toy's family with its token: no second look-up of the same row.
  const toyFamily = caller.familyId !== undefined ? caller.familyId : await familyOfDevice(db, caller.deviceId);
  if (toyFamily !== familyId) throw noSuchFamily();
}
