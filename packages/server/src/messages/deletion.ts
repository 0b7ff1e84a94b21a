/**
 * Deleting one message on request (docs/api.md, "Delete a message"): its sender (any device of the
 * sender's account) or a guardian of its family may; the server then deletes the row (recipients,
 * receipts and review rows go with it) and the blob's bytes, and tells the devices it was queued for.
 * A caller who is not in the family gets the same 404 as for a message that does not exist.
 */
import type { Logger } from 'pino';
import type { DeviceCaller } from '../auth/index.js';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import { checkpointAfterErasure, type Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import { forbidden, notFound } from '../errors/index.js';
import { memberRole, writeInExistingFamily } from '../families/access.js';
import type { Clock } from '../clock/index.js';
import { checkDeletionInstruction, keepDeletion } from '../toys/deletions.js';
import { deleteBlobUnlessReferenced, deleteMessages, findMessageRef, recipientsOf } from './store.js';

const noSuchMessage = () => notFound('message_not_found', 'No such message.');

export async function deleteMessage(
  { db, blobs, bus, log, clock }: { db: Db; blobs: Blobs; bus: Bus; log: Logger; clock: Clock },
  caller: DeviceCaller,
  messageId: string,
  instructionJson?: unknown,
): Promise<void> {
  const message = await findMessageRef(db, messageId);
  if (!message || caller.kind !== 'person' || caller.accountId === null) throw noSuchMessage();
  const role = await memberRole(db, message.familyId, caller.accountId);
  if (!role) throw noSuchMessage();
  const sender = message.senderId === caller.deviceId ? caller.accountId : (await deviceById(db, message.senderId))?.account_id;
  if (sender !== caller.accountId && role !== 'guardian')
    throw forbidden('delete_not_allowed', 'Only its sender or a guardian of the family can delete this message.');
  // A signed instruction for the toys (docs/protocol.md §16) is checked before anything is deleted.
  const instruction = instructionJson === undefined ? null : await checkDeletionInstruction(db, caller, message.familyId, messageId, instructionJson);
  const queuedFor = await recipientsOf(db, message.seq);
  // With the family locked against its erasure: the instruction's row would meet a deleted family
  // (a foreign-key 500); a 404 instead, and the erasure takes the message anyway.
  await writeInExistingFamily(db, message.familyId, async (trx) => {
    await deleteMessages(trx, [message.seq]);
    if (instruction) await keepDeletion(trx, instruction, clock.now());
  });
  // After the row: the bytes go once no message points at them (a crash in between leaves an
  // unreferenced blob that the retention sweep's repair pass deletes).
  if (message.blobHash !== null) await deleteBlobUnlessReferenced(db, blobs, message.familyId, message.blobHash);
  await checkpointAfterErasure(db);
  for (const deviceId of queuedFor) bus.publish(topics.device(deviceId), { type: 'deleted', messageId });
  bus.publish(topics.family(message.familyId), { type: 'deleted', messageId });
  log.info({ familyId: message.familyId, by: role === 'guardian' && sender !== caller.accountId ? 'guardian' : 'sender' }, 'message deleted on request');
}
