/**
 * The owner (STYLE.md 13) of the consent tables: `invitations` (only a hash of each code),
 * `join_requests` (a person asking to join, and what a guardian decided) and `family_blocks`.
 * Every function takes the database or a transaction; roster changes (families/rosters.ts) call
 * `markRemoved` in the roster's own transaction.
 */
import type { Db, JoinRequestStatus } from '../db/index.js';

/** Stores an unused invitation. */
export async function insertInvitation(
  db: Db,
  invitation: { id: string; familyId: string; codeHash: string; createdBy: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('invitations')
    .values({
      id: invitation.id,
      family_id: invitation.familyId,
      code_hash: invitation.codeHash,
      created_by: invitation.createdBy,
      created_at: invitation.createdAt,
      expires_at: invitation.expiresAt,
      used_at: null,
    })
    .execute();
}

/** Deletes an unused invitation of the family; false when there is none with that id. */
export async function deleteUnusedInvitation(db: Db, familyId: string, invitationId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('invitations')
    .where('id', '=', invitationId)
    .where('family_id', '=', familyId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Marks an invitation used; false when it was used already (only one redeemer wins). */
export async function markInvitationUsed(db: Db, invitationId: string, now: number): Promise<boolean> {
  const used = await db
    .updateTable('invitations')
    .set({ used_at: now })
    .where('id', '=', invitationId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return used.numUpdatedRows === 1n;
}

/** Stores a pending request to join, made by redeeming `invitationId`. */
export async function insertJoinRequest(
  db: Db,
  request: { id: string; familyId: string; accountId: string; invitationId: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('join_requests')
    .values({
      id: request.id,
      family_id: request.familyId,
      account_id: request.accountId,
      invitation_id: request.invitationId,
      status: 'pending',
      created_at: request.createdAt,
      decided_at: null,
    })
    .execute();
}

/** A guardian's decision on a pending request; false when it is not pending (or not the family's). */
export async function decideJoinRequest(
  db: Db,
  familyId: string,
  requestId: string,
  decision: JoinRequestStatus,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('join_requests')
    .set({ status: decision, decided_at: now })
    .where('id', '=', requestId)
    .where('family_id', '=', familyId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** People a roster no longer lists lose their approval: coming back takes a new invitation. */
export async function markRemoved(db: Db, familyId: string, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await db
    .updateTable('join_requests')
    .set({ status: 'removed' })
    .where('family_id', '=', familyId)
    .where('account_id', 'in', [...accountIds])
    .where('status', '=', 'approved')
    .execute();
}

/** Blocks an account: recorded once, and its pending or approved requests become `blocked`. */
export async function insertBlock(db: Db, familyId: string, accountId: string, now: number): Promise<void> {
  await db
    .insertInto('family_blocks')
    .values({ family_id: familyId, account_id: accountId, created_at: now })
    .onConflict((oc) => oc.columns(['family_id', 'account_id']).doNothing())
    .execute();
  await db
    .updateTable('join_requests')
    .set({ status: 'blocked', decided_at: now })
    .where('family_id', '=', familyId)
    .where('account_id', '=', accountId)
    .where('status', 'in', ['pending', 'approved'])
    .execute();
}

/** Lifts a block; false when the account was not blocked. */
export async function deleteBlock(db: Db, familyId: string, accountId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('family_blocks')
    .where('family_id', '=', familyId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deletes an account's join requests and the blocks naming it (account deletion, erasure/). */
export async function deleteRequestsOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('join_requests').where('account_id', '=', accountId).execute();
  await db.deleteFrom('family_blocks').where('account_id', '=', accountId).execute();
  await db.updateTable('invitations').set({ created_by: null }).where('created_by', '=', accountId).execute();
}

/** Deletes a family's invitations, join requests and blocks (family deletion, erasure/). */
export async function deleteFamilyInvitations(db: Db, familyId: string): Promise<void> {
  await db.deleteFrom('join_requests').where('family_id', '=', familyId).execute();
  await db.deleteFrom('family_blocks').where('family_id', '=', familyId).execute();
  await db.deleteFrom('invitations').where('family_id', '=', familyId).execute();
}
