/**
 * Who may touch a family. Non-members get the same 404 as for a family that does not exist, so ids
 * cannot be probed; members lacking a right get 403.
 */
import type { DeviceCaller } from '../auth/index.js';
import type { Db, MemberRole } from '../db/index.js';
import { familyOfDevice } from '../devices/store.js';
import { forbidden, notFound } from '../errors/index.js';

export const noSuchFamily = () => notFound('No such family.');

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
  if (role !== 'guardian') throw forbidden('Only a guardian of this family can do that.');
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
