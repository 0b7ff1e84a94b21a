/**
 * Deletion instructions for toys (docs/protocol.md §16) and the `message_deletions` table's owner.
 * When a message is deleted with an instruction its deleting device signed, the instruction is kept
 * for the family's toys to fetch: a toy that already queued the message verifies it against its own
 * roster and drops the message unplayed. The server checks what it can (the caller signed it, for this
 * message) so a client mistake is a 400; the toy trusts none of that and checks the signature itself.
 */
import { isProtocolError, parseDeletion, verifyDeletionSignature, type DeletionWire } from '@burrow/protocol';
import type { DeviceCaller } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import { badRequest } from '../errors/index.js';

/** How long an instruction waits for a toy that is offline (a toy away longer re-syncs from scratch anyway). */
export const DELETION_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Checks an instruction sent with DELETE /v1/messages/:id: it names this family and message and is
 * signed by the calling device. Throws a 400 otherwise (before anything is deleted).
 */
export async function checkDeletionInstruction(db: Db, caller: DeviceCaller, familyId: string, messageId: string, json: unknown): Promise<DeletionWire> {
  let deletion: DeletionWire;
  try {
    deletion = parseDeletion(json);
  } catch (err) {
    if (isProtocolError(err)) throw badRequest('record_malformed', `The deletion instruction is malformed (${err.code}).`);
    throw err;
  }
  if (deletion.familyId !== familyId || deletion.messageId !== messageId)
    throw badRequest('record_malformed', 'The deletion instruction names another message.');
  const device = deletion.signer === caller.deviceId ? await deviceById(db, caller.deviceId) : undefined;
  if (!device || !verifyDeletionSignature(deletion, device.sign_public_key))
    throw badRequest('signer_not_caller', 'The deletion instruction is not signed by this device.');
  return deletion;
}

/** Keeps `deletion` for the family's toys and forgets the family's instructions older than the keep. */
export async function keepDeletion(db: Db, deletion: DeletionWire, now: number): Promise<void> {
  await db
    .insertInto('message_deletions')
    .values({ family_id: deletion.familyId, message_id: deletion.messageId, instruction_json: JSON.stringify(deletion), created_at: now })
    .execute();
  await db.deleteFrom('message_deletions').where('family_id', '=', deletion.familyId).where('created_at', '<', now - DELETION_KEEP_MS).execute();
}

/** The family's instructions after `after` (a toy's cursor), oldest first. */
export async function deletionsAfter(db: Db, familyId: string, after: number, limit: number): Promise<{ seq: number; instruction: DeletionWire }[]> {
  const rows = await db
    .selectFrom('message_deletions')
    .select(['seq', 'instruction_json'])
    .where('family_id', '=', familyId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  // Stored only after the checks above; the toy verifies each again against its roster.
  return rows.map((r) => ({ seq: Number(r.seq), instruction: JSON.parse(r.instruction_json) as DeletionWire }));
}
