/** Invitations, join requests, pending devices and blocks (docs/api.md, "Invitations"). */
import { Type, type Static } from '@sinclair/typebox';
import { AccountId, Base64url, DeviceId, FamilyId, Id } from './primitives.js';

const RequestId = Id('Join request id.');
const InvitationId = Id('Invitation id.');

export const InvitationParams = Type.Object({ familyId: FamilyId, invitationId: InvitationId });
export const RequestParams = Type.Object({ familyId: FamilyId, requestId: RequestId });
export const BlockParams = Type.Object({ familyId: FamilyId, accountId: AccountId });

export const CreateInvitationBody = Type.Object(
  { ttlMs: Type.Optional(Type.Integer({ minimum: 60_000, description: 'Lifetime (default 7 days, at most 30).' })) },
  { additionalProperties: false },
);
export type CreateInvitationBody = Static<typeof CreateInvitationBody>;
export const CreateInvitationResponse = Type.Object({
  invitationId: InvitationId,
  code: Type.String({ description: 'Shown once; the server keeps only its hash.' }),
  expiresAt: Type.Integer(),
});
export type CreateInvitationResponse = Static<typeof CreateInvitationResponse>;

export const RedeemInvitationBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type RedeemInvitationBody = Static<typeof RedeemInvitationBody>;
export const RedeemInvitationResponse = Type.Object({
  requestId: RequestId,
  familyId: FamilyId,
  status: Type.Literal('pending'),
});
export type RedeemInvitationResponse = Static<typeof RedeemInvitationResponse>;

/**
 * Before signing up, the join page asks whether the code in its link can still be used (a body, not
 * a query, so the code stays out of server logs). 200 valid; 404 unknown; 410 used or expired.
 */
export const CheckInvitationBody = RedeemInvitationBody;
export type CheckInvitationBody = RedeemInvitationBody;
export const CheckInvitationResponse = Type.Object({
  state: Type.Literal('valid'),
  expiresAt: Type.Integer(),
});
export type CheckInvitationResponse = Static<typeof CheckInvitationResponse>;

/** A device of an account that asks to join, with its public keys. */
export const AccountDevice = Type.Object({
  deviceId: DeviceId,
  signPublicKey: Base64url({ bytes: 32 }),
  kemPublicKey: Base64url({ bytes: 32 }),
  createdAt: Type.Integer(),
});
export type AccountDevice = Static<typeof AccountDevice>;

export const JoinRequest = Type.Object({
  requestId: RequestId,
  accountId: AccountId,
  email: Type.String(),
  status: Type.Union((['pending', 'approved', 'declined', 'removed', 'blocked'] as const).map((s) => Type.Literal(s))),
  createdAt: Type.Integer(),
  devices: Type.Array(AccountDevice),
});
export type JoinRequest = Static<typeof JoinRequest>;

export const JoinRequestResponse = JoinRequest;
export type JoinRequestResponse = JoinRequest;
export const ListJoinRequestsResponse = Type.Object({ requests: Type.Array(JoinRequest) });
export type ListJoinRequestsResponse = Static<typeof ListJoinRequestsResponse>;

export const PendingDevice = Type.Composite([AccountDevice, Type.Object({ accountId: AccountId, email: Type.String() })]);
export type PendingDevice = Static<typeof PendingDevice>;
export const ListPendingDevicesResponse = Type.Object({ devices: Type.Array(PendingDevice) });
export type ListPendingDevicesResponse = Static<typeof ListPendingDevicesResponse>;

export const BlockBody = Type.Object({ accountId: AccountId }, { additionalProperties: false });
export type BlockBody = Static<typeof BlockBody>;
export const BlockResponse = Type.Object({
  deviceIds: Type.Array(DeviceId, { description: 'Their devices still in the roster: publish one without them.' }),
});
export type BlockResponse = Static<typeof BlockResponse>;
export const ListBlocksResponse = Type.Object({
  blocks: Type.Array(Type.Object({ accountId: AccountId, email: Type.String(), createdAt: Type.Integer() })),
});
export type ListBlocksResponse = Static<typeof ListBlocksResponse>;
