/**
 * Rotated KEM keys (docs/protocol.md §14). A device publishes each new X25519 key in a record its
 * Ed25519 identity signed; the server checks the signature against the device's registered key and
 * that the epoch is newer, and keeps the newest per device for senders to fetch. Senders verify the
 * record themselves against the roster: the server relays keys, it cannot make one.
 */
import {
  parseKemKeyRecord,
  verifyKemKeyRecord,
  isProtocolError,
  KEM_RECORD_MAX_SKEW_MS,
  type KemKeyRecord,
} from '@burrow/protocol';
import type { DeviceCaller, Principal } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import { badRequest, conflict, forbidden } from '../errors/index.js';
import { noSuchFamily, requireMember } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { putNewerRecord, recordsOf } from './store.js';

export interface KemKeys {
  /** Stores the caller's own newer key record; an older or repeated epoch is a 409 (a replay). */
  publish(caller: DeviceCaller, recordJson: unknown): Promise<{ epoch: number }>;
  /** The newest record of each device in the family's current roster that has rotated. */
  list(caller: Principal, familyId: string): Promise<KemKeyRecord[]>;
}

export function createKemKeys({ db, clock }: { db: Db; clock: Clock }): KemKeys {
  return {
    async publish(caller, recordJson) {
      let record: KemKeyRecord;
      try {
        record = parseKemKeyRecord(recordJson);
      } catch (err) {
        if (isProtocolError(err)) throw badRequest('record_malformed', `The key record is malformed (${err.code}).`);
        throw err;
      }
      if (record.deviceId !== caller.deviceId)
        throw forbidden('signer_not_caller', 'A device publishes only its own key records.');
      const device = await deviceById(db, caller.deviceId);
      if (!device || !verifyKemKeyRecord(record, device.sign_public_key))
        throw badRequest('signer_not_caller', 'The key record is not signed by this device.');
      if (record.notBefore > clock.now() + KEM_RECORD_MAX_SKEW_MS)
        throw badRequest('record_from_future', 'The key record is dated in the future.');
      if (!(await putNewerRecord(db, record, clock.now())))
        throw conflict('key_epoch_taken', 'A key record of this or a later epoch is already published.');
      return { epoch: record.epoch };
    },

    async list(caller, familyId) {
      if (caller.kind === 'toy') {
        if (caller.familyId !== familyId) throw noSuchFamily();
      } else {
        await requireMember(db, familyId, caller.accountId);
      }
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      return recordsOf(
        db,
        current.roster.devices.map((d) => d.id),
      );
    },
  };
}
