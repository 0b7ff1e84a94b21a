/**
 * Identity succession on the server (docs/protocol.md §17). A person's device that renewed its
 * Ed25519 identity registers the new keys (POST /v1/devices) and files a request both identities
 * signed; a guardian device publishes the roster version that swaps the entry together with its
 * countersignature. The server checks every signature it can (it never trusts itself: receivers
 * check again), then in one transaction stores the roster, moves the deliveries still waiting for the
 * old id to the new one (messages in flight), and forgets the old device — its id no longer acts for
 * anyone, so the old key's credentials are gone with it.
 */
import {
  isProtocolError,
  parseRoster,
  parseSuccession,
  parseSuccessionRequest,
  rosterHash,
  verifyRosterSuccessor,
  verifySuccession,
  verifySuccessionRequest,
  type RosterDevice,
  type SuccessionRequest,
  type SuccessionWire,
} from '@burrow/protocol';
import type { DeviceCaller, Principal } from '../auth/index.js';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { badRequest, conflict, forbidden } from '../errors/index.js';
import { lockFamilyOrNotFound, noSuchFamily, requireFamilyDevice, requireGuardian, requireMember, writeInExistingFamily, type Actor } from '../families/access.js';
import { announceRoster, checkRosterDevices, checkSignedByCaller, currentRoster, insertRoster, syncMembers } from '../families/rosters.js';
import { moveRecipient } from '../messages/store.js';
import { nativeVerify } from '../signatures/native-ed25519.js';
import { completeSuccession, pendingRequestOf, pendingRequests, putPendingRequest, successionsAfter } from './successions-store.js';
import { deleteDevice, deviceById, familyOfDevice, lockDevicesForRemoval } from './store.js';
import { succeedToy } from './toy-succession.js';
import { topics } from '../bus/index.js';

export interface Successions {
  /** Files the calling device's own request (signed by its old and new identity): a person's device or a toy. */
  request(caller: DeviceCaller, familyId: string, requestJson: unknown): Promise<void>;
  /** Pending requests of the family, for its guardians' devices. */
  listRequests(actor: Actor, familyId: string): Promise<SuccessionRequest[]>;
  /** A guardian device publishes the roster swapping the device with its countersignature. */
  publish(actor: Actor, familyId: string, rosterJson: unknown, successionJson: unknown): Promise<{ version: number }>;
  /** Countersigned successions of roster versions after `after` (toys and people's devices verify them). */
  list(caller: Principal, familyId: string, after: number): Promise<SuccessionWire[]>;
}

const malformed = (what: string, err: unknown): never => {
  if (isProtocolError(err)) throw badRequest('record_malformed', `The ${what} is not acceptable (${err.code}).`);
  throw err;
};

export function createSuccessions({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }): Successions {
  return {
    async request(caller, familyId, requestJson) {
      await requireFamilyDevice(db, familyId, caller);
      let request: SuccessionRequest;
      try {
        request = parseSuccessionRequest(requestJson);
      } catch (err) {
        return malformed('succession request', err);
      }
      if (request.familyId !== familyId) throw badRequest('wrong_family', 'The request is for another family.');
      // A device asks only for itself: the old key's signature is checked below, the session (or the
      // toy's token) here.
      if (request.from !== caller.deviceId) throw forbidden('signer_not_caller', 'A device can only ask to renew its own identity.');
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      let entry: RosterDevice;
      try {
        entry = verifySuccessionRequest(request, current.roster, nativeVerify);
      } catch (err) {
        return malformed('succession request', err);
      }
      const successor = await deviceById(db, request.to);
      const sameKeys = successor?.sign_public_key === request.toSignPublicKey && successor.kem_public_key === request.toKemPublicKey;
      if (caller.kind === 'toy') {
        // A toy registers its new keys as a toy (POST /v1/toys) and files with its current token; the
        // new row must be unpaired, so no other family's toy can be made this one's successor.
        if (entry.role !== 'toy' || successor?.kind !== 'toy' || !sameKeys || successor.family_id !== null)
          throw badRequest('successor_invalid', 'Register the new keys as an unpaired toy first (POST /v1/toys).');
      } else if (successor?.kind !== 'person' || successor.account_id !== caller.accountId || !sameKeys) {
        throw badRequest('successor_invalid', 'Register the new keys as a device of this account first (POST /v1/devices).');
      }
      // With the family locked against its erasure: one that commits meanwhile is a 404, not a foreign-key 500.
      await writeInExistingFamily(db, familyId, (trx) => putPendingRequest(trx, request, clock.now()));
    },

    async listRequests(actor, familyId) {
      await requireGuardian(db, familyId, actor.accountId);
      return pendingRequests(db, familyId);
    },

    async publish(actor, familyId, rosterJson, successionJson) {
      await requireGuardian(db, familyId, actor.accountId);
      let succession: SuccessionWire;
      try {
        succession = parseSuccession(successionJson);
      } catch (err) {
        return malformed('succession', err);
      }
      const next = (() => {
        try {
          return parseRoster(rosterJson);
        } catch (err) {
          return malformed('roster', err);
        }
      })();
      if (next.familyId !== familyId || succession.familyId !== familyId) throw badRequest('wrong_family', 'The roster or succession belongs to another family.');
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      try {
        verifyRosterSuccessor(current.roster, next, nativeVerify);
        verifySuccession(succession, current.roster, next, nativeVerify);
      } catch (err) {
        if (isProtocolError(err, 'bad_chain') && next.version <= current.roster.version) throw conflict('roster_changed', 'The roster changed meanwhile; fetch the latest and try again.');
        return malformed('succession', err);
      }
      checkSignedByCaller(next, actor.deviceId);
      // The guardian acts on what the device asked, not on a request of its own making: the device's
      // request must be on file (a guardian renewing itself files its own first).
      const filed = await pendingRequestOf(db, familyId, succession.from);
      if (filed?.to !== succession.to || filed.fromSignature !== succession.fromSignature || filed.toSignature !== succession.toSignature)
        throw badRequest('succession_not_requested', 'No such succession request is waiting; the device must ask first.');
      const old = await deviceById(db, succession.from);
      if (old?.kind === 'toy') {
        // The successor joins the family through this succession only: an unpaired toy row.
        const successor = await deviceById(db, succession.to);
        if (successor?.kind !== 'toy' || successor.family_id !== null) throw badRequest('successor_invalid', 'The successor is not an unpaired toy.');
      }
      await checkRosterDevices(db, next, old?.kind === 'toy' ? { claimingToyId: succession.to } : {});
      try {
        await db.transaction().execute(async (trx) => {
          // The family kept from its erasure until this commits (or a 404: no roster row meets a deleted family).
          await lockFamilyOrNotFound(trx, familyId);
          await insertRoster(trx, next, rosterHash(next), clock.now());
          await syncMembers(trx, next);
          await completeSuccession(trx, succession, clock.now());
          // Messages in flight to the old id now wait for the new one, which still holds the old
          // KEM keys for its grace period (§17.4); the old row locked first, so a send still queueing
          // for it is waited for and its message moved too.
          await lockDevicesForRemoval(trx, [succession.from]);
          await moveRecipient(trx, succession.from, succession.to);
          // A toy's place — family, child, signed settings, sealed name, reviews, favourites, update
          // report — passes to its new id; the old row goes, and with it the old token (§17.6).
          if (old?.kind === 'toy') await succeedToy(trx, succession.from, succession.to);
          if (old) await deleteDevice(trx, succession.from);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('roster_changed', 'The roster changed meanwhile; fetch the latest and try again.');
        throw err;
      }
      announceRoster(bus, next, current.roster);
      // The renewing toy is still connected under its old id: wake it so it fetches and adopts.
      if (old?.kind === 'toy') bus.publish(topics.device(succession.from), { type: 'roster', familyId, version: next.version });
      return { version: next.version };
    },

    async list(caller, familyId, after) {
      if (caller.kind === 'toy') {
        if ((await familyOfDevice(db, caller.toyId)) !== familyId) throw noSuchFamily();
      } else {
        await requireMember(db, familyId, caller.accountId);
      }
      return successionsAfter(db, familyId, after);
    },
  };
}

