/** Families, children and rosters (docs/api.md, "Families"). */
import { Type, type Static } from '@sinclair/typebox';
import { ChildId, DeviceId, Envelope, FamilyId, Roster } from './primitives.js';

export const CreateFamilyBody = Type.Object({ roster: Roster });
export type CreateFamilyBody = Static<typeof CreateFamilyBody>;
export const CreateFamilyResponse = Type.Object({ familyId: FamilyId });
export type CreateFamilyResponse = Static<typeof CreateFamilyResponse>;

export const FamilyRole = Type.Union([Type.Literal('guardian'), Type.Literal('member')]);
export type FamilyRole = Static<typeof FamilyRole>;

export const FamilyResponse = Type.Object({
  familyId: FamilyId,
  role: FamilyRole,
  roster: Roster,
  children: Type.Array(Type.Object({ childId: ChildId, profile: Envelope })),
  toys: Type.Array(Type.Object({ toyId: DeviceId, childId: Type.Union([ChildId, Type.Null()]) })),
  departedDevices: Type.Array(DeviceId, {
    description: 'Devices the roster lists whose account was deleted: a guardian signs a roster without them.',
  }),
});
export type FamilyResponse = Static<typeof FamilyResponse>;

export const CreateChildBody = Type.Object({ profile: Envelope });
export type CreateChildBody = Static<typeof CreateChildBody>;
export const CreateChildResponse = Type.Object({ childId: ChildId });
export type CreateChildResponse = Static<typeof CreateChildResponse>;

/**
 * A child's profile sealed again, by a guardian device, to the devices of the current roster: how a
 * device that joined after the child was added comes to read the child's name (docs/protocol.md §15).
 */
export const ReplaceChildProfileBody = Type.Object({ profile: Envelope });
export type ReplaceChildProfileBody = Static<typeof ReplaceChildProfileBody>;

/**
 * Roster versions are 32-bit integers where they are stored (PostgreSQL `integer`), so the cursor
 * stops there: `?after=2147483648` is a 400, not a database error.
 */
export const RosterCursor = Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'Return rosters with a version greater than this.' });
export const ListRostersQuery = Type.Object({ after: Type.Optional(RosterCursor) });
export type ListRostersQuery = Static<typeof ListRostersQuery>;
export const ListRostersResponse = Type.Object({ rosters: Type.Array(Roster) });
export type ListRostersResponse = Static<typeof ListRostersResponse>;

export const PublishRosterBody = Type.Object({ roster: Roster });
export type PublishRosterBody = Static<typeof PublishRosterBody>;
export const PublishRosterResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
export type PublishRosterResponse = Static<typeof PublishRosterResponse>;
