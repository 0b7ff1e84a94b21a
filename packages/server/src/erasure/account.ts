/**
 * Deleting one's own account (issue 13 item 2; docs/api.md "Deleting"). After re-authentication, every
 * row of the account is deleted by its owner in one transaction: sessions, mailed links, guessing
 * counters, the security log, passkeys, TOTP, pending sign-ins, recovery codes, incident records,
 * join requests and blocks, memberships, devices, the account. A confirmation is mailed.
 *
 * Devices and the roster: a roster is signed by a guardian's device, so the server cannot take the
 * account's devices out of it. A device no family's current roster lists is deleted at once; one a
 * roster still lists keeps only its public keys, owned by nobody (no session can act as it, no
 * membership follows from it), until a guardian signs the roster without it — then it is deleted
 * (families/rosters.ts). The guardians are mailed and their app offers that change.
 *
 * The last-guardian rule: a family always has a guardian, so the sole guardian of a family is told
 * what to do first (make someone else a guardian, or delete the family), and nothing is deleted.
 */
import { findDevice, type RosterWire } from '@burrow/protocol';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import {
  deleteLinksOf,
  deleteSecurityEventsOf,
  deleteThrottleRowsOf,
  type RequestMeta,
} from '../accounts/index.js';
import type { AccountEmails } from '../accounts/index.js';
import { deleteAccountRow } from '../accounts/store.js';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import { checkpointAfterErasure, type Database, type Db } from '../db/index.js';
import { deleteDevice, deviceIdsOfAccount, detachFromAccount, lockDevicesForRemoval } from '../devices/store.js';
import { conflict, signInFirst } from '../errors/index.js';
import { currentRoster, listedElsewhere } from '../families/rosters.js';
import { familiesOfAccount, guardiansOf, lockFamiliesForGuardianChange, removeMember } from '../families/store.js';
import { deleteIncidentRowsOf } from '../incidents/store.js';
import { deleteRequestsOf } from '../invitations/store.js';
import { deleteBlobUnlessReferenced, dropDeviceQueue } from '../messages/store.js';
import { deleteRecoveryCodesOf } from '../recovery/index.js';
import { deletePasskeysOf, deletePendingLoginsOf, deleteTotpOf } from '../second-factors/index.js';
import { deleteSessionsOf } from '../sessions/store.js';
import type { ErasureMail } from './mail.js';

/** The password, and a current code when the account has a second factor (second-factors confirmOwner). */
export interface OwnerProof {
  password: string;
  code?: string | undefined;
}

/** Throws (401, 400 or 429) unless the proof is the account owner's. */
export type ConfirmOwner = (accountId: string, proof: OwnerProof, meta: RequestMeta) => Promise<void>;

export interface ErasurePorts {
  db: Db;
  blobs: Blobs;
  bus: Bus;
  log: Logger;
  /** Account addresses (sealed at rest; accounts/email-store.ts). */
  emails: AccountEmails;
  mail: ErasureMail;
  confirmOwner: ConfirmOwner;
}

export const LAST_GUARDIAN =
  'You are the only guardian of a family, and a family always keeps one. First make another member a guardian (Family page: approve one of their devices as guardian), or delete the family (Family page: Delete this family). Then delete your account.';

/** The family's guardians, unless `accountId` is the only one (409 last_guardian, with what to do). */
async function assertNotLastGuardian(db: Db | Transaction<Database>, familyId: string, accountId: string): Promise<string[]> {
  const guardians = await guardiansOf(db, familyId);
  if (guardians.length === 1 && guardians[0] === accountId) throw conflict('last_guardian', LAST_GUARDIAN);
  return guardians;
}

/** What an account's erasure acts on, read before its transaction (the last-guardian rule needs them first). */
export interface AccountToErase {
  accountId: string;
  /** Its address, for the throttle rows keyed by it. */
  email: string;
  devices: readonly string[];
  /** The current rosters of its families: a device one lists is detached, not deleted. */
  rosters: readonly RosterWire[];
}

/**
 * The account's erasure transaction: every row of it, each by its owner. Returns the blob hashes of
 * the messages only its devices could still fetch (deleted with their queue), and how many devices a
 * roster still lists (detached: public keys only, owned by nobody).
 */
export async function eraseAccountRows(
  trx: Transaction<Database>,
  emails: AccountEmails,
  { accountId, email, devices, rosters }: AccountToErase,
): Promise<{ orphanBlobs: string[]; departed: number }> {
  const families = await familiesOfAccount(trx, accountId);
  // The last-guardian rule again, under the families' locks: checked only before the transaction,
  // two co-guardians deleting their accounts at once both passed it (neither saw the other's
  // deletion) and left the family with no guardian.
  await lockFamiliesForGuardianChange(trx, families);
  for (const familyId of families) await assertNotLastGuardian(trx, familyId, accountId);
  // The devices before their queues: a send still queueing for one of them holds its row (key
  // share) and is waited for here, so the queue dropped below includes its message (no row left
  // naming a deleted device); a send after waits for this commit and skips the device.
  await lockDevicesForRemoval(trx, devices);
  const orphanBlobs: string[] = [];
  let departed = 0;
  for (const deviceId of devices) {
    orphanBlobs.push(...(await dropDeviceQueue(trx, deviceId)));
    const listed = rosters.some((r) => findDevice(r, deviceId) !== undefined) || (await listedElsewhere(trx, deviceId, ''));
    if (listed) {
      await detachFromAccount(trx, deviceId);
      departed++;
    } else await deleteDevice(trx, deviceId);
  }
  for (const familyId of families) await removeMember(trx, familyId, accountId);
  await deleteRequestsOf(trx, accountId);
  await deleteSessionsOf(trx, accountId);
  await deleteLinksOf(trx, accountId);
  await deleteThrottleRowsOf(trx, emails, { accountId, email });
  await deleteSecurityEventsOf(trx, accountId);
  await deletePasskeysOf(trx, accountId);
  await deleteTotpOf(trx, accountId);
  await deletePendingLoginsOf(trx, accountId);
  await deleteRecoveryCodesOf(trx, accountId);
  await deleteIncidentRowsOf(trx, accountId);
  await deleteAccountRow(trx, accountId);
  return { orphanBlobs, departed };
}

export function createAccountErasure({ db, blobs, bus, log, emails, mail, confirmOwner }: ErasurePorts) {
  return {
    async deleteAccount(accountId: string, proof: OwnerProof, meta: RequestMeta): Promise<void> {
      await confirmOwner(accountId, proof, meta);
      const email = await emails.emailOf(db, accountId);
      if (email === undefined) throw signInFirst();
      const families = await familiesOfAccount(db, accountId);
      const guardiansOfFamily = new Map<string, string[]>();
      for (const familyId of families) {
        const guardians = await assertNotLastGuardian(db, familyId, accountId);
        guardiansOfFamily.set(
          familyId,
          guardians.filter((g) => g !== accountId),
        );
      }
      const rosters = (await Promise.all(families.map((f) => currentRoster(db, f)))).flatMap((r) =>
        r ? [r.roster] : [],
      );
      const devices = await deviceIdsOfAccount(db, accountId);
      // Guardians of the families whose roster lists one of the devices: they sign it out.
      const toTell = new Set(
        rosters
          .filter((r) => devices.some((d) => findDevice(r, d) !== undefined))
          .flatMap((r) => guardiansOfFamily.get(r.familyId) ?? []),
      );
      const guardianEmails = [...(await emails.emailsOf(db, [...toTell])).values()];

      const { orphanBlobs, departed } = await db.transaction().execute((trx) =>
        eraseAccountRows(trx, emails, { accountId, email, devices, rosters }),
      );
      // Messages only this account's devices could still fetch went with their queue: their blobs too.
      for (const hash of new Set(orphanBlobs))
        for (const familyId of families)
          await deleteBlobUnlessReferenced(db, blobs, familyId, hash).catch((err: unknown) =>
            log.warn({ err }, 'account deletion: could not delete a blob'),
          );
      if (!(await checkpointAfterErasure(db)))
        log.warn('account deletion: the write-ahead log is still in use; the next checkpoint empties it');
      log.info({ families: families.length, devices: devices.length, departed }, 'account deleted');
      mail.accountDeleted(email);
      for (const to of guardianEmails) mail.memberLeft(to);
      for (const r of rosters)
        bus.publish(topics.family(r.familyId), { type: 'roster', familyId: r.familyId, version: r.version });
    },
  };
}

export type AccountErasure = ReturnType<typeof createAccountErasure>;
