import { Type } from '@sinclair/typebox';
import { ChildId, Cursor, DeviceId, Envelope, FamilyId, Roster } from '../http/schemas.js';

export const FamilyParams = Type.Object({ familyId: FamilyId });

export const CreateFamilyBody = Type.Object({ roster: Roster });
export const CreateFamilyResponse = Type.Object({ familyId: FamilyId });

export const FamilyResponse = Type.Object({
  familyId: FamilyId,
  role: Type.Union([Type.Literal('guardian'), Type.Literal('member')]),
  roster: Roster,
  children: Type.Array(Type.Object({ childId: ChildId, profile: Envelope })),
  toys: Type.Array(Type.Object({ toyId: DeviceId, childId: Type.Union([ChildId, Type.Null()]) })),
});

export const CreateChildBody = Type.Object({ profile: Envelope });
export const CreateChildResponse = Type.Object({ childId: ChildId });

export const ListRostersQuery = Type.Object({ after: Type.Optional(Cursor) });
export const ListRostersResponse = Type.Object({ rosters: Type.Array(Roster) });

export const PublishRosterBody = Type.Object({ roster: Roster });
export const PublishRosterResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
