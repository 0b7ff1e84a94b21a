/**
 * Toys and pairing (docs/protocol.md §5). A toy registers the public keys it generated and gets a
 * bearer token; in pairing mode it publishes a short lookup plus a MAC over its keys. A guardian
 * looks the toy up, then claims it with a roster that lists it, MACed with the pairing secret the
 * server never sees — so the server can route pairing but cannot substitute keys on either side.
 */
import type { DeletionWire } from '@burrow/protocol';
import { deletionsAfter } from './deletions.js';
import {
  findDevice,
  parseRoster,
  rosterHash,
  verifyRosterSuccessor,
  type RosterWire,
} from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { ToyPrincipal } from '../auth/index.js';
import { hashToken, newToyToken } from '../auth/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { badRequest, conflict, forbidden, notFound } from '../errors/index.js';
import { checkDeviceKeys, type DeviceKeysInput } from '../devices/index.js';
import { lockFamilyOrNotFound, requireGuardian, type Actor } from '../families/access.js';
import {
  announceRoster,
  checkRosterDevices,
  checkSignedByCaller,
  currentRoster,
  insertRoster,
  rosterAt,
  syncMembers,
} from '../families/rosters.js';
import type { Blobs } from '../blobs/index.js';
import { createToyManagement, type ToyManagement } from './manage.js';
import { closePairingWindow, openPairingWindow, PAIRING_WINDOW_MS } from './store.js';
import { isFamilyChild } from '../families/store.js';
import { assignToyToFamily, deviceById, insertToyDevice } from '../devices/store.js';

export { PAIRING_WINDOW_MS };

export type PairingStatus =
  | { status: 'none' }
  | { status: 'waiting'; expiresAt: number }
  | { status: 'claimed'; familyId: string; roster: RosterWire; rosterTag: string };

export interface PairingLookup {
  toyId: string;
  signPublicKey: string;
  kemPublicKey: string;
  keysTag: string;
  expiresAt: number;
}

export interface ClaimInput {
  lookup: string;
  childId: string;
  roster: unknown;
  rosterTag: string;
}

export interface Toys extends ToyManagement {
  registerToy(input: DeviceKeysInput): Promise<{ toyId: string; token: string }>;
  openPairing(toy: ToyPrincipal, input: { lookup: string; keysTag: string }): Promise<{ expiresAt: number }>;
  getPairing(toy: ToyPrincipal): Promise<PairingStatus>;
  lookupPairing(lookup: string): Promise<PairingLookup>;
  claimToy(actor: Actor, familyId: string, input: ClaimInput): Promise<{ toyId: string }>;
  getToyMe(toy: ToyPrincipal): Promise<{ toyId: string; familyId?: string; childId?: string }>;
  /** Deletion instructions of the toy's family after its cursor (deletions.ts, docs/protocol.md §16). */
  listDeletions(toy: ToyPrincipal, after: number, limit: number): Promise<{ seq: number; instruction: DeletionWire }[]>;
}

const noOpenPairing = () => notFound('pairing_code_unknown', 'No toy is waiting to pair with that code.');

export function createToys({
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
}): Toys {
  return {
    ...createToyManagement({ db, blobs, bus, clock, log }),
    async registerToy(input) {
      const toyId = checkDeviceKeys(input, 'toy');
      const token = newToyToken();
      try {
        await insertToyDevice(db, {
          id: toyId,
          signPublicKey: input.signPublicKey,
          kemPublicKey: input.kemPublicKey,
          tokenHash: hashToken(token),
          createdAt: clock.now(),
        });
      } catch (err) {
        // A proof carries no nonce, so re-registering the same keys is refused rather than handing a
        // fresh token to whoever replays it.
        if (isUniqueViolation(err)) throw conflict('toy_exists', 'A toy with these keys is already registered.');
        throw err;
      }
      return { toyId, token };
    },

    async openPairing(toy, { lookup, keysTag }) {
      const now = clock.now();
      const expiresAt = now + PAIRING_WINDOW_MS;
      try {
        await db.transaction().execute(async (trx) => {
          const opened = await openPairingWindow(trx, toy.toyId, { lookup, keysTag, openedAt: now, expiresAt });
          if (!opened) throw conflict('pairing_code_taken', 'That pairing code is in use; make a new one.');
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('pairing_code_taken', 'That pairing code is in use; make a new one.');
        throw err;
      }
      return { expiresAt };
    },

    async getPairing(toy) {
      const row = await db
        .selectFrom('pairings')
        .selectAll()
        .where('toy_id', '=', toy.toyId)
        .executeTakeFirst();
      if (
        row?.claimed_at != null &&
        row.family_id !== null &&
        row.roster_version !== null &&
        row.roster_tag !== null
      ) {
        const roster = await rosterAt(db, row.family_id, row.roster_version);
        if (roster) return { status: 'claimed', familyId: row.family_id, roster, rosterTag: row.roster_tag };
      }
      if (row?.lookup != null && row.expires_at > clock.now())
        return { status: 'waiting', expiresAt: row.expires_at };
      return { status: 'none' };
    },

    async lookupPairing(lookup) {
      const row = await db
        .selectFrom('pairings')
        .innerJoin('devices', 'devices.id', 'pairings.toy_id')
        .select([
          'pairings.toy_id',
          'pairings.keys_tag',
          'pairings.expires_at',
          'devices.sign_public_key',
          'devices.kem_public_key',
        ])
        .where('pairings.lookup', '=', lookup)
        .where('pairings.claimed_at', 'is', null)
        .where('pairings.expires_at', '>', clock.now())
        .executeTakeFirst();
      if (!row) throw noOpenPairing();
      return {
        toyId: row.toy_id,
        signPublicKey: row.sign_public_key,
        kemPublicKey: row.kem_public_key,
        keysTag: row.keys_tag,
        expiresAt: row.expires_at,
      };
    },

    async claimToy(actor, familyId, input) {
      await requireGuardian(db, familyId, actor.accountId);
      const now = clock.now();
      const pairing = await db
        .selectFrom('pairings')
        .innerJoin('devices', 'devices.id', 'pairings.toy_id')
        .select(['pairings.toy_id', 'devices.sign_public_key', 'devices.kem_public_key'])
        .where('pairings.lookup', '=', input.lookup)
        .where('pairings.claimed_at', 'is', null)
        .where('pairings.expires_at', '>', now)
        .executeTakeFirst();
      if (!pairing) throw noOpenPairing();
      const toyId = pairing.toy_id;
      if (!(await isFamilyChild(db, familyId, input.childId))) throw notFound('child_not_found', 'No such child in this family.');

      const next = parseRoster(input.roster);
      const current = await currentRoster(db, familyId);
      if (!current) throw notFound('family_not_found', 'No such family.');
      verifyRosterSuccessor(current.roster, next, nativeVerify);
      checkSignedByCaller(next, actor.deviceId);
      const entry = findDevice(next, toyId);
      if (entry?.role !== 'toy')
        throw badRequest('roster_invalid', 'The roster must list the toy being claimed, with role "toy".');
      if (entry.signPublicKey !== pairing.sign_public_key || entry.kemPublicKey !== pairing.kem_public_key) {
        throw badRequest('roster_keys_mismatch', "The roster's keys for the toy are not the toy's keys.");
      }
      await checkRosterDevices(db, next, { claimingToyId: toyId });

      try {
        await db.transaction().execute(async (trx) => {
          // The family kept from its erasure until this commits (or a 404: no roster row meets a deleted family).
          await lockFamilyOrNotFound(trx, familyId);
          await insertRoster(trx, next, rosterHash(next), now);
          await syncMembers(trx, next);
          await assignToyToFamily(trx, toyId, familyId, input.childId);
          const closed = await closePairingWindow(trx, toyId, input.lookup, {
            familyId,
            rosterVersion: next.version,
            rosterTag: input.rosterTag,
            claimedAt: now,
          });
          // Someone else claimed (or the toy re-opened) between our read and this write.
          if (!closed) throw conflict('toy_already_claimed', 'The toy was claimed meanwhile.');
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict('roster_changed', 'The roster changed meanwhile; fetch the latest and try again.');
        throw err;
      }
      bus.publish(topics.device(toyId), { type: 'pairing' });
      announceRoster(bus, next, current.roster);
      return { toyId };
    },

    async getToyMe(toy) {
      const row = await deviceById(db, toy.toyId);
      if (!row) throw forbidden('toy_token_unknown', 'Unknown toy.');
      return {
        toyId: row.id,
        ...(row.family_id === null ? {} : { familyId: row.family_id }),
        ...(row.child_id === null ? {} : { childId: row.child_id }),
      };
    },

    async listDeletions(toy, after, limit) {
      // An unpaired toy has no family and nothing to drop.
      if (toy.familyId === null) return [];
      return deletionsAfter(db, toy.familyId, after, limit);
    },
  };
}
