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
  type SuccessionRequest,
  type SuccessionWire,
} from '@burrow/protocol';
import type { Principal } from '../auth/index.js';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { badRequest, conflict, forbidden } from '../errors/index.js';
import { noSuchFamily, requireGuardian, requireMember, type Actor } from '../families/access.js';
import { announceRoster, checkRosterDevices, checkSignedByCaller, currentRoster, insertRoster, syncMembers } from '../families/rosters.js';
import { moveRecipient } from '../messages/store.js';
import { nativeVerify } from '../signatures/native-ed25519.js';
import { completeSuccession, pendingRequestOf, pendingRequests, putPendingRequest, successionsAfter } from './successions-store.js';
import { deleteDevice, deviceById, familyOfDevice } from './store.js';

export interface Successions {
  /** Files the calling device's own request (signed by its old and new identity). */
  request(actor: Actor, familyId: string, requestJson: unknown): Promise<void>;
  /** Pending requests of the family, for its guardians' devices. */
  listRequests(actor: Actor, familyId: string): Promise<SuccessionRequest[]>;
  /** A guardian device publishes the roster swapping the device with its countersignature. */
  publish(actor: Actor, familyId: string, rosterJson: unknown, successionJson: unknown): Promise<{ version: number }>;
  /** Countersigned successions of roster versions after `after` (toys and people's devices verify them). */
  list(caller: Principal, familyId: string, after: number): Promise<SuccessionWire[]>;
}

const malformed = (what: string, err: unknown): never => {
  if (isProtocolError(err)) throw badRequest(`The ${what} is not acceptable (${err.code}).`);
  throw err;
};

export function createSuccessions({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }): Successions {
  return {
    async request(actor, familyId, requestJson) {
      await requireMember(db, familyId, actor.accountId);
      let request: SuccessionRequest;
      try {
        request = parseSuccessionRequest(requestJson);
      } catch (err) {
        return malformed('succession request', err);
      }
      if (request.familyId !== familyId) throw badRequest('The request is for another family.');
      // A device asks only for itself: the old key's signature is checked below, the session here.
      if (request.from !== actor.deviceId) throw forbidden('A device can only ask to renew its own identity.');
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      try {
        verifySuccessionRequest(request, current.roster, nativeVerify);
      } catch (err) {
        return malformed('succession request', err);
      }
      const successor = await deviceById(db, request.to);
      if (successor?.kind !== 'person' || successor.account_id !== actor.accountId || successor.sign_public_key !== request.toSignPublicKey || successor.kem_public_key !== request.toKemPublicKey)
        throw badRequest('Register the new keys as a device of this account first (POST /v1/devices).');
      await putPendingRequest(db, request, clock.now());
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
      if (next.familyId !== familyId || succession.familyId !== familyId) throw badRequest('The roster or succession belongs to another family.');
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      try {
        verifyRosterSuccessor(current.roster, next, nativeVerify);
        verifySuccession(succession, current.roster, next, nativeVerify);
      } catch (err) {
        if (isProtocolError(err, 'bad_chain') && next.version <= current.roster.version) throw conflict('The roster changed meanwhile; fetch the latest and try again.');
        return malformed('succession', err);
      }
      checkSignedByCaller(next, actor.deviceId);
      // The guardian acts on what the device asked, not on a request of its own making: the device's
      // request must be on file (a guardian renewing itself files its own first).
      const filed = await pendingRequestOf(db, familyId, succession.from);
      if (filed?.to !== succession.to || filed.fromSignature !== succession.fromSignature || filed.toSignature !== succession.toSignature)
        throw badRequest('No such succession request is waiting; the device must ask first.');
      await checkRosterDevices(db, next);
      const old = await deviceById(db, succession.from);
      try {
        await db.transaction().execute(async (trx) => {
          await insertRoster(trx, next, rosterHash(next), clock.now());
          await syncMembers(trx, next);
          await completeSuccession(trx, succession, clock.now());
          // Messages in flight to the old id now wait for the new one, which still holds the old
          // KEM keys for its grace period (§17.4).
          await moveRecipient(trx, succession.from, succession.to);
          if (old?.kind === 'person') await deleteDevice(trx, succession.from);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('The roster changed meanwhile; fetch the latest and try again.');
        throw err;
      }
      announceRoster(bus, next, current.roster);
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

