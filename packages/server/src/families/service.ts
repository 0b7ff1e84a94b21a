/**
 * Families: created from a genesis roster signed by the creating guardian's device, then changed only
 * by rosters that chain from the current one. Children are sealed profiles the server cannot read.
 */
import {
  MAX_CHILD_PHOTO_BYTES,
  MAX_SEALED_CHILD_PROFILE_BYTES,
  parseRoster,
  rosterHash,
  verifyRosterGenesis,
  verifyRosterSuccessor,
  type EnvelopeWire,
  type RosterWire,
} from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { Principal } from '../auth/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db, type MemberRole } from '../db/index.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { newId } from '../auth/index.js';
import { asGuardianOfExistingFamily, noSuchFamily, requireGuardian, requireMember, type Actor } from './access.js';
import { checkSealedByGuardianDevice, type SealedRecordRules } from './sealed-records.js';
import { insertChild, insertFamily, isFamilyChild, replaceChildProfile } from './store.js';
import { familyOfDevice, ownerlessDevices, toysOfFamily } from '../devices/store.js';
import {
  checkRosterDevices,
  checkSignedByCaller,
  currentRoster,
  announceRoster,
  insertRoster,
  syncMembers,
} from './rosters.js';

export type { Actor };

export interface FamilyView {
  familyId: string;
  role: MemberRole;
  roster: RosterWire;
  children: { childId: string; profile: EnvelopeWire }[];
  toys: { toyId: string; childId: string | null }[];
  /** Person devices the roster lists whose account was deleted (erasure/account.ts). */
  departedDevices: string[];
}

export interface Families {
  createFamily(actor: Actor, rosterJson: unknown): Promise<{ familyId: string }>;
  getFamily(accountId: string, familyId: string): Promise<FamilyView>;
  createChild(actor: Actor, familyId: string, profileJson: unknown): Promise<{ childId: string }>;
  /** Stores a child's profile re-sealed to the current roster (a device joined since it was sealed). */
  replaceChildProfile(actor: Actor, familyId: string, childId: string, profileJson: unknown): Promise<void>;
  listRosters(caller: Principal, familyId: string, after: number): Promise<RosterWire[]>;
  publishRoster(actor: Actor, familyId: string, rosterJson: unknown): Promise<{ version: number }>;
}

const MAX_ROSTERS_PER_PAGE = 1000;

export { announceRoster };

/**
 * A child profile record: sealed by a guardian device, its metadata at most
 * MAX_SEALED_CHILD_PROFILE_BYTES (a name, a birthday and a small photo, docs/protocol.md §15.1).
 */
const CHILD_PROFILE_RULES: SealedRecordRules = {
  kindMessage: 'A child profile is a sealed record (kind "record").',
  noun: 'The profile',
  recipients: 'devices',
  maxSealedMetaBytes: MAX_SEALED_CHILD_PROFILE_BYTES,
  tooLargeMessage: `The profile is too large: at most ${String(MAX_SEALED_CHILD_PROFILE_BYTES)} bytes sealed (a photo of at most ${String(MAX_CHILD_PHOTO_BYTES / 1024)} KiB).`,
};

export function createFamilies({
  db,
  bus,
  clock,
}: {
  db: Db;
  bus: Bus;
  clock: Clock;
  log: Logger;
}): Families {
  return {
    async createFamily(actor, rosterJson) {
      const roster = parseRoster(rosterJson);
      verifyRosterGenesis(roster, nativeVerify);
      checkSignedByCaller(roster, actor.deviceId);
      const guardians = roster.devices.filter((d) => d.role === 'guardian');
      if (guardians.length !== 1 || guardians[0]?.id !== actor.deviceId) {
        throw badRequest('roster_creator_only', "A new family's roster lists the creating device as its only guardian.");
      }
      await checkRosterDevices(db, roster, { creatorAccountId: actor.accountId });
      const now = clock.now();
      try {
        await db.transaction().execute(async (trx) => {
          await insertFamily(trx, roster.familyId, now);
          await insertRoster(trx, roster, rosterHash(roster), now);
          await syncMembers(trx, roster);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('family_id_taken', 'That family id is taken; pick another.');
        throw err;
      }
      return { familyId: roster.familyId };
    },

    async getFamily(accountId, familyId) {
      const role = await requireMember(db, familyId, accountId);
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchFamily();
      const children = await db
        .selectFrom('children')
        .select(['id', 'profile_ciphertext'])
        .where('family_id', '=', familyId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      const toys = await toysOfFamily(db, familyId, 'id');
      return {
        familyId,
        role,
        roster: current.roster,
        children: children.map((c) => ({
          childId: c.id,
          profile: JSON.parse(c.profile_ciphertext) as EnvelopeWire,
        })),
        toys: toys.map((t) => ({ toyId: t.id, childId: t.child_id })),
        departedDevices: await ownerlessDevices(
          db,
          current.roster.devices.filter((d) => d.role !== 'toy').map((d) => d.id),
        ),
      };
    },

    async createChild(actor, familyId, profileJson) {
      await requireGuardian(db, familyId, actor.accountId);
      const { record: profile } = await checkSealedByGuardianDevice(db, familyId, actor.deviceId, profileJson, CHILD_PROFILE_RULES);
      const childId = newId();
      // The guardian checked again with the family locked against its erasure: one that commits
      // meanwhile makes this a 404, never a foreign-key 500 (families/access.ts).
      await asGuardianOfExistingFamily(db, familyId, actor.accountId, (trx) =>
        insertChild(trx, { id: childId, familyId, profileCiphertext: JSON.stringify(profile), createdAt: clock.now() }),
      );
      return { childId };
    },

    async replaceChildProfile(actor, familyId, childId, profileJson) {
      await requireGuardian(db, familyId, actor.accountId);
      if (!(await isFamilyChild(db, familyId, childId))) throw notFound('child_not_found', 'No such child in this family.');
      const { record: profile } = await checkSealedByGuardianDevice(db, familyId, actor.deviceId, profileJson, CHILD_PROFILE_RULES);
      await replaceChildProfile(db, familyId, childId, JSON.stringify(profile));
      // The family's devices reload the family and open the names they can now read.
      bus.publish(topics.family(familyId), { type: 'children', familyId });
    },

    async listRosters(caller, familyId, after) {
      if (caller.kind === 'toy') {
        if ((await familyOfDevice(db, caller.toyId)) !== familyId) throw noSuchFamily();
      } else {
        await requireMember(db, familyId, caller.accountId);
      }
      const rows = await db
        .selectFrom('rosters')
        .select('roster')
        .where('family_id', '=', familyId)
        .where('version', '>', after)
        .orderBy('version', 'asc')
        .limit(MAX_ROSTERS_PER_PAGE)
        .execute();
      return rows.map((r) => JSON.parse(r.roster) as RosterWire);
    },

    async publishRoster(actor, familyId, rosterJson) {
      await requireGuardian(db, familyId, actor.accountId);
      const next = parseRoster(rosterJson);
      if (next.familyId !== familyId) throw badRequest('wrong_family', 'The roster belongs to another family.');
      const current = await currentRoster(db, familyId);
      if (!current) throw notFound('family_not_found', 'No such family.');
      if (!next.devices.some((d) => d.role === 'guardian'))
        throw badRequest('roster_needs_guardian', 'A family keeps at least one guardian: add another guardian before removing the last one.');
      verifyRosterSuccessor(current.roster, next, nativeVerify);
      checkSignedByCaller(next, actor.deviceId);
      await checkRosterDevices(db, next);
      try {
        await db.transaction().execute(async (trx) => {
          await insertRoster(trx, next, rosterHash(next), clock.now());
          await syncMembers(trx, next);
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict('roster_changed', 'The roster changed meanwhile; fetch the latest and try again.');
        throw err;
      }
      announceRoster(bus, next, current.roster);
      return { version: next.version };
    },
  };
}
