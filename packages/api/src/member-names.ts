/** Member names (docs/api.md, "Member names"; docs/protocol.md §15): the name a person chose, sealed. */
import { Type, type Static } from '@sinclair/typebox';
import type { Envelope } from './primitives.js';
import { DeviceId, FamilyId, ProtocolJson } from './primitives.js';

export const MemberNameParams = Type.Object({ familyId: FamilyId, deviceId: DeviceId });
export type MemberNameParams = Static<typeof MemberNameParams>;

export const PutMemberNameBody = Type.Object({
  name: ProtocolJson<Static<typeof Envelope>>(
    "The name this person's device goes by (\"Grandma\"), sealed to the persons' devices of the roster (an envelope of kind `record`).",
  ),
});
export type PutMemberNameBody = Static<typeof PutMemberNameBody>;

export const ListMemberNamesResponse = Type.Object({
  names: Type.Array(
    Type.Object({
      deviceId: DeviceId,
      name: ProtocolJson<Static<typeof Envelope>>('The sealed name record.'),
    }),
  ),
});
export type ListMemberNamesResponse = Static<typeof ListMemberNamesResponse>;
