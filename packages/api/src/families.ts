/** Families, children and rosters (docs/api.md, "Families"). */
import { Type, type Static } from '@sinclair/typebox';
import { ChildId, Cursor, DeviceId, Envelope, FamilyId, Roster } from './primitives.js';

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
});
export type FamilyResponse = Static<typeof FamilyResponse>;

export const CreateChildBody = Type.Object({ profile: Envelope });
export type CreateChildBody = Static<typeof CreateChildBody>;
export const CreateChildResponse = Type.Object({ childId: ChildId });
export type CreateChildResponse = Static<typeof CreateChildResponse>;

export const ListRostersQuery = Type.Object({ after: Type.Optional(Cursor) });
export type ListRostersQuery = Static<typeof ListRostersQuery>;
export const ListRostersResponse = Type.Object({ rosters: Type.Array(Roster) });
export type ListRostersResponse = Static<typeof ListRostersResponse>;

export const PublishRosterBody = Type.Object({ roster: Roster });
export type PublishRosterBody = Static<typeof PublishRosterBody>;
export const PublishRosterResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
export type PublishRosterResponse = Static<typeof PublishRosterResponse>;
