/**
 * A guardian deletes a child's profile, or the whole family (issue 13 item 2; docs/api.md "Deleting").
 * Both need an approved guardian device: the account a guardian, and the device making the request
 * listed as a guardian in the current roster.
 *
 * A child: their toys are unpaired first (the existing unpair, a roster the guardian signs: the toy is
 * told and wipes itself), then the sealed profile is deleted. A child with a toy still paired is
 * refused with what to do.
 *
 * A family (after re-authentication, like deleting an account): every row of the family is deleted by
 * its owner in one transaction — reviews, messages, receipts, the blob index, toy settings, names and
 * pairings, the toys' devices, invitations, requests and blocks, the second-factor rule, members,
 * children, every roster version, the family (its activity log goes with it) — then the blob bytes. The toys are told (`unpaired`:
 * they wipe their family state and can be paired again) and every member is mailed.
 */
import { findDevice } from '@burrow/protocol';
import type { Transaction } from 'kysely';
import type { RequestMeta } from '../accounts/index.js';
import { topics } from '../bus/index.js';
import { checkpointAfterErasure, type Database } from '../db/index.js';
import { deleteDevice, ownerlessDevices, toysOfFamily } from '../devices/store.js';
import { conflict, forbidden, notFound } from '../errors/index.js';
import { noSuchFamily, requireGuardian, type Actor } from '../families/access.js';
import { currentRoster, listedElsewhere } from '../families/rosters.js';
import { deleteChildRow, deleteFamilyRows, isFamilyChild, lockFamilyForErasure, memberAccountIds } from '../families/store.js';
import { deleteFamilyInvitations } from '../invitations/store.js';
import { deleteBlobBytes, deleteFamilyMessages, forgetRecipient } from '../messages/store.js';
import { deleteFamilyReviews } from '../review/store.js';
import { deleteFamilyRequirement } from '../second-factors/index.js';
import { deleteFamilyToyRows } from '../toys/store.js';
import type { ErasurePorts, OwnerProof } from './account.js';

/** What an erasure deleted, read under its lock: the blobs whose bytes go next, the toys to tell, the members to mail. */
export interface ErasedFamily {
  hashes: string[];
  toys: string[];
  members: string[];
}

/**
 * The erasure's transaction: every row of the family, each by its owner. The activity log's chain
 * goes with the family row (its foreign key cascades, migration 1005; the append-only trigger lets a
 * deleted family's events go). A batched flush of the log, a retention change or a summary-mail
 * opt-in cannot slip a row in around this transaction: each checks the family under a lock in its
 * own (families/store.ts lockExistingFamilies).
 *
 * The toys, the members and the devices of deleted accounts are read here, under the family's lock,
 * not before the transaction: a toy paired in between was missed there (its device row kept with its
 * credentials and its family cleared by the foreign key, never told to wipe itself), and a member
 * admitted in between was not mailed.
 */
export async function eraseFamilyRows(trx: Transaction<Database>, familyId: string): Promise<ErasedFamily> {
  // First: a write that holds the family (lockExistingFamilies) finishes before anything is read or goes.
  await lockFamilyForErasure(trx, familyId);
  const toys = (await toysOfFamily(trx, familyId, 'id')).map((t) => t.id);
  const members = await memberAccountIds(trx, familyId);
  const ownerless = await ownerlessListedBy(trx, familyId);
  await deleteFamilyReviews(trx, familyId);
  const hashes = await deleteFamilyMessages(trx, familyId);
  await deleteFamilyToyRows(trx, familyId);
  // Each toy's credentials, presence, tickets and update reports go with its device row, as on unpair.
  for (const toyId of toys) await deleteDevice(trx, toyId);
  for (const id of ownerless) {
    await forgetRecipient(trx, id);
    await deleteDevice(trx, id);
  }
  await deleteFamilyInvitations(trx, familyId);
  await deleteFamilyRequirement(trx, familyId);
  await deleteFamilyRows(trx, familyId);
  return { hashes, toys, members };
}

/** Devices of deleted accounts the family's current roster still lists, unless another family lists them: they go with it. */
async function ownerlessListedBy(trx: Transaction<Database>, familyId: string): Promise<string[]> {
  const current = await currentRoster(trx, familyId);
  const people = (current?.roster.devices ?? []).filter((d) => d.role !== 'toy').map((d) => d.id);
  const ownerless: string[] = [];
  for (const id of await ownerlessDevices(trx, people))
    if (!(await listedElsewhere(trx, id, familyId))) ownerless.push(id);
  return ownerless;
}

export function createFamilyErasure({ db, blobs, bus, log, emails: accountEmails, mail, confirmOwner }: ErasurePorts) {
  /** The guardian's account, and the request's device listed as a guardian in the current roster. */
  async function requireGuardianDevice(actor: Actor, familyId: string) {
    await requireGuardian(db, familyId, actor.accountId);
    const current = await currentRoster(db, familyId);
    if (!current) throw noSuchFamily();
    if (findDevice(current.roster, actor.deviceId)?.role !== 'guardian')
      throw forbidden('guardian_device_required',
        'Only a guardian device in the family list can do that: approve this browser as a guardian first.',
      );
  }

  /** Every row of the family by its owners in one transaction, then the blob bytes; toys told, members mailed. */
  async function erase(familyId: string, tell: (accountId: string, to: string) => void): Promise<void> {
    const { hashes, toys, members } = await db.transaction().execute((trx) => eraseFamilyRows(trx, familyId));
    // After the commit: the accounts stay (people leave the family, not Burrow); one deleted meanwhile gets no mail.
    const emails = await accountEmails.emailsOf(db, members);
    const failed = await deleteBlobBytes(blobs, familyId, hashes);
    if (failed > 0) log.warn({ failed }, 'family deletion: some blob bytes could not be deleted');
    if (!(await checkpointAfterErasure(db)))
      log.warn('family deletion: the write-ahead log is still in use; the next checkpoint empties it');
    log.info({ toys: toys.length, blobs: hashes.length, members: members.length }, 'family deleted');
    for (const toyId of toys) bus.publish(topics.device(toyId), { type: 'unpaired' });
    bus.publish(topics.family(familyId), { type: 'toys', familyId });
    for (const [accountId, to] of emails) tell(accountId, to);
  }

  return {
    async deleteChild(actor: Actor, familyId: string, childId: string): Promise<void> {
      await requireGuardianDevice(actor, familyId);
      if (!(await isFamilyChild(db, familyId, childId))) throw notFound('child_not_found', 'No such child in this family.');
      const paired = (await toysOfFamily(db, familyId, 'id')).filter((t) => t.child_id === childId);
      if (paired.length > 0)
        throw conflict('child_has_toys',
          `This child still has ${paired.length === 1 ? 'a toy' : `${paired.length} toys`} paired. Unpair ${paired.length === 1 ? 'it' : 'them'} first (Toys page): the toy is told and wipes itself. Then delete the profile.`,
          { count: paired.length },
        );
      await deleteChildRow(db, familyId, childId);
      await checkpointAfterErasure(db);
      log.info('child profile deleted');
      bus.publish(topics.family(familyId), { type: 'toys', familyId });
    },

    async deleteFamily(actor: Actor, familyId: string, proof: OwnerProof, meta: RequestMeta): Promise<void> {
      await requireGuardianDevice(actor, familyId);
      await confirmOwner(actor.accountId, proof, meta);
      await erase(familyId, (accountId, to) => mail.familyDeleted(to, accountId === actor.accountId));
    },

    /**
     * Deletes a family nobody has signed in to for the inactivity period (inactivity/, after its
     * guardians were warned): the same erasure, with the members told why.
     */
    async deleteInactiveFamily(familyId: string): Promise<void> {
      if (!(await currentRoster(db, familyId))) return;
      await erase(familyId, (_accountId, to) => mail.inactiveFamilyDeleted(to));
    },
  };
}

export type FamilyErasure = ReturnType<typeof createFamilyErasure>;
