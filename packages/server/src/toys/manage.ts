/**
 * What a family does with its paired toys: list them (sealed name, presence, unplayed count), rename
 * one (a sealed record only family devices can open — a display name is family data, DESIGN.md), and
 * unpair one. Unpairing is a roster without the toy, signed by a guardian's device; the server then
 * forgets the toy (its credentials, pairing, settings, name and presence), deletes its queued
 * envelopes, and tells the toy, which wipes itself and can be paired again (docs/safety.md).
 */
import {
  findDevice,
  parseRoster,
  rosterHash,
  verifyRosterSuccessor,
  type EnvelopeWire,
} from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Transaction } from 'kysely';
import { isUniqueViolation, type Database, type Db } from '../db/index.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { asGuardianOfExistingFamily, lockFamilyOrNotFound, requireGuardian, requireMember, type Actor } from '../families/access.js';
import { announceRoster, checkRosterDevices, checkSignedByCaller, currentRoster, insertRoster, syncMembers } from '../families/rosters.js';
import { checkSealedByGuardianDevice } from '../families/sealed-records.js';
import { deleteDevice, isFamilyToy, lockDevicesForRemoval, toysOfFamily } from '../devices/store.js';
import { deleteBlobUnlessReferenced, dropDeviceQueue, unplayedCounts } from '../messages/store.js';
import { readPresence } from '../stream/presence.js';
import { putToyName, toyNames } from './store.js';
import { lostToysOf, putLostToy, type LostToy } from './lost.js';

export interface FamilyToy {
  toyId: string;
  childId: string | null;
  /** The sealed name record, or null when the toy was never named. */
  name: EnvelopeWire | null;
  online: boolean;
  lastSeenAt: number | null;
  /** Messages addressed to the toy that it has not played yet (waiting on the server or in its slots). */
  unplayed: number;
}

export interface ToyManagement {
  listToys(accountId: string, familyId: string): Promise<FamilyToy[]>;
  renameToy(actor: Actor, familyId: string, toyId: string, nameJson: unknown): Promise<void>;
  unpairToy(actor: Actor, familyId: string, toyId: string, rosterJson: unknown): Promise<{ version: number }>;
  /** Unpairs a toy a guardian reports lost or stolen and keeps when it last checked in (lost.ts). */
  markToyLost(actor: Actor, familyId: string, toyId: string, rosterJson: unknown): Promise<{ version: number; lastSeenAt: number | null }>;
  /** The family's toys marked lost, newest first. */
  listLostToys(accountId: string, familyId: string): Promise<LostToy[]>;
}

const noSuchToy = () => notFound('toy_not_found', 'No such toy in this family.');

export function createToyManagement({
  db,
  blobs,
  bus,
  clock,
  log,
}: {
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  log: Logger;
}): ToyManagement {
  async function requireFamilyToy(familyId: string, toyId: string): Promise<void> {
    if (!(await isFamilyToy(db, familyId, toyId))) throw noSuchToy();
  }

  const management: ToyManagement = {
    async listToys(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      const toys = await toysOfFamily(db, familyId, 'oldest-first');
      const ids = toys.map((t) => t.id);
      const names = await toyNames(db, ids);
      const presence = await readPresence(db, ids, clock.now());
      const unplayed = await unplayedCounts(db, familyId, ids);
      const nameOf = (toyId: string): EnvelopeWire | null => {
        const sealed = names.get(toyId);
        return sealed === undefined ? null : (JSON.parse(sealed) as EnvelopeWire);
      };
      return toys.map((t) => ({
        toyId: t.id,
        childId: t.child_id,
        name: nameOf(t.id),
        online: presence.get(t.id)?.online ?? false,
        lastSeenAt: presence.get(t.id)?.lastSeenAt ?? null,
        unplayed: unplayed.get(t.id) ?? 0,
      }));
    },

    async renameToy(actor, familyId, toyId, nameJson) {
      await requireGuardian(db, familyId, actor.accountId);
      await requireFamilyToy(familyId, toyId);
      const { record } = await checkSealedByGuardianDevice(db, familyId, actor.deviceId, nameJson, {
        kindMessage: 'A toy name is a sealed record (kind "record").',
        noun: 'The name record',
        recipients: 'people',
      });
      // With the family locked against its erasure: one that commits meanwhile is a 404, not a foreign-key 500.
      await asGuardianOfExistingFamily(db, familyId, actor.accountId, (trx) =>
        putToyName(trx, toyId, familyId, { ciphertext: JSON.stringify(record), updatedAt: clock.now() }),
      );
      bus.publish(topics.family(familyId), { type: 'toys', familyId });
    },

    async unpairToy(actor, familyId, toyId, rosterJson) {
      return unpair(actor, familyId, toyId, rosterJson);
    },

    async markToyLost(actor, familyId, toyId, rosterJson) {
      await requireGuardian(db, familyId, actor.accountId);
      await requireFamilyToy(familyId, toyId);
      // Read before unpairing: presence and the child go with the toy's device row.
      const lastSeenAt = (await readPresence(db, [toyId], clock.now())).get(toyId)?.lastSeenAt ?? null;
      const childId = (await toysOfFamily(db, familyId, 'oldest-first')).find((t) => t.id === toyId)?.child_id ?? null;
      // The lost row in the unpairing's transaction: both, or (the family erased meanwhile) neither.
      const { version } = await unpair(actor, familyId, toyId, rosterJson, (trx) =>
        putLostToy(trx, familyId, { toyId, childId, lostAt: clock.now(), lastSeenAt }),
      );
      log.info({ familyId }, 'toy marked lost');
      return { version, lastSeenAt };
    },

    async listLostToys(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      return lostToysOf(db, familyId);
    },
  };
  return management;

  /** Unpairs the toy; `also` writes in the same transaction (a lost toy's row). */
  async function unpair(
    actor: Actor,
    familyId: string,
    toyId: string,
    rosterJson: unknown,
    also?: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<{ version: number }> {
    await requireGuardian(db, familyId, actor.accountId);
    await requireFamilyToy(familyId, toyId);
    const next = parseRoster(rosterJson);
    if (next.familyId !== familyId) throw badRequest('wrong_family', 'The roster belongs to another family.');
    const current = await currentRoster(db, familyId);
    if (!current) throw notFound('family_not_found', 'No such family.');
    verifyRosterSuccessor(current.roster, next, nativeVerify);
    checkSignedByCaller(next, actor.deviceId);
    // Exactly the current devices without the toy: unpairing changes nothing else in the family.
    const expected = current.roster.devices.filter((d) => d.id !== toyId).map((d) => d.id).sort();
    const listed = next.devices.map((d) => d.id).sort();
    if (findDevice(next, toyId) || expected.join() !== listed.join())
      throw badRequest('roster_invalid', 'The roster must list the same devices as the current one, without the toy.');
    await checkRosterDevices(db, next);

    let orphanBlobs: string[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        // The family kept from its erasure until this commits (or a 404: no roster row meets a deleted family).
        await lockFamilyOrNotFound(trx, familyId);
        await insertRoster(trx, next, rosterHash(next), clock.now());
        await syncMembers(trx, next);
        // The toy's queue: envelopes addressed to it, and messages nobody else can fetch any more;
        // its row locked first, so a send still queueing for it is waited for and its message included.
        await lockDevicesForRemoval(trx, [toyId]);
        orphanBlobs = await dropDeviceQueue(trx, toyId);
        // Its credentials, pairing, settings, name, presence and tickets go with its device row.
        await deleteDevice(trx, toyId);
        if (also) await also(trx);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('roster_changed', 'The roster changed meanwhile; fetch the latest and try again.');
      throw err;
    }
    await deleteUnreferencedBlobs(familyId, orphanBlobs);
    bus.publish(topics.device(toyId), { type: 'unpaired' });
    announceRoster(bus, next, current.roster);
    bus.publish(topics.family(familyId), { type: 'toys', familyId });
    return { version: next.version };
  }

  /** Blob ciphertext of deleted messages, unless another message still points at the same bytes. */
  async function deleteUnreferencedBlobs(familyId: string, hashes: string[]): Promise<void> {
    for (const hash of new Set(hashes)) {
      try {
        await deleteBlobUnlessReferenced(db, blobs, familyId, hash);
      } catch (err) {
        // The rows are gone; a blob left behind is unreadable ciphertext, logged for the operator.
        log.warn({ err }, 'unpair: could not delete a blob');
      }
    }
  }
}
