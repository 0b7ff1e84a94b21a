/**
 * Member names (docs/protocol.md §15): a person's device seals the name it goes by ("Grandma") to the
 * persons' devices of the roster; a guardian's device seals it again when the roster gains a device.
 * The server cannot open a name; it checks who sealed it, for whom, and about which device.
 */
import { findDevice, type EnvelopeWire } from '@burrow/protocol';
import type { Bus } from '../bus/index.js';
import { topics } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest } from '../errors/index.js';
import { asGuardianOfExistingFamily, asMemberOfExistingFamily, requireGuardian, requireMember, type Actor } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { checkSealedByGuardianDevice } from '../families/sealed-records.js';
import { memberNamesOf, putMemberName } from './store.js';

export interface MemberNames {
  putName(actor: Actor, familyId: string, deviceId: string, recordJson: unknown): Promise<void>;
  listNames(accountId: string, familyId: string): Promise<{ deviceId: string; name: EnvelopeWire }[]>;
}

export function createMemberNames({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }): MemberNames {
  return {
    async putName(actor, familyId, deviceId, recordJson) {
      // A device names itself; only a guardian's device seals someone else's name again (re-seal).
      const own = deviceId === actor.deviceId;
      if (own) await requireMember(db, familyId, actor.accountId);
      else await requireGuardian(db, familyId, actor.accountId);
      const { record, roster } = await checkSealedByGuardianDevice(db, familyId, actor.deviceId, recordJson, {
        kindMessage: 'A member name is a sealed record (kind "record").',
        noun: 'The name record',
        recipients: 'people',
        sealer: own ? 'person' : 'guardian',
      });
      const subject = findDevice(roster, deviceId);
      if (!subject || subject.role === 'toy') throw badRequest('device_not_in_roster', "That device is not a person's device in the family roster.");
      // Written with the family locked against its erasure: one that commits meanwhile is a 404,
      // not a foreign-key 500 (families/access.ts).
      const row = { familyId, deviceId, ciphertext: JSON.stringify(record), updatedAt: clock.now() };
      if (own) await asMemberOfExistingFamily(db, familyId, actor.accountId, (trx) => putMemberName(trx, row));
      else await asGuardianOfExistingFamily(db, familyId, actor.accountId, (trx) => putMemberName(trx, row));
      // The family's devices reload the family and open the names they can read.
      bus.publish(topics.family(familyId), { type: 'children', familyId });
    },

    async listNames(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      const current = await currentRoster(db, familyId);
      if (!current) return [];
      const names = await memberNamesOf(db, familyId);
      // Only devices the roster lists now: a removed device's name is not handed out.
      return [...names]
        .filter(([id]) => findDevice(current.roster, id) !== undefined)
        .map(([deviceId, json]) => ({ deviceId, name: JSON.parse(json) as EnvelopeWire }));
    },
  };
}
