import { Type } from '@sinclair/typebox';
import { Base64url, DeviceId, FamilyId, Id } from '../http/schemas.js';

const AccountId = Id('Account id.');
const RequestId = Id('Join request id.');
const InvitationId = Id('Invitation id.');

export const FamilyParams = Type.Object({ familyId: FamilyId });
export const InvitationParams = Type.Object({ familyId: FamilyId, invitationId: InvitationId });
export const RequestParams = Type.Object({ familyId: FamilyId, requestId: RequestId });
export const BlockParams = Type.Object({ familyId: FamilyId, accountId: AccountId });

export const CreateInvitationBody = Type.Object(
  { ttlMs: Type.Optional(Type.Integer({ minimum: 60_000, description: 'Lifetime (default 7 days, at most 30).' })) },
  { additionalProperties: false },
);
export const CreateInvitationResponse = Type.Object({
  invitationId: InvitationId,
  code: Type.String({ description: 'Shown once; the server keeps only its hash.' }),
  expiresAt: Type.Integer(),
});

export const RedeemInvitationBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const RedeemInvitationResponse = Type.Object({
  requestId: RequestId,
  familyId: FamilyId,
  status: Type.Literal('pending'),
});

const AccountDevice = Type.Object({
  deviceId: DeviceId,
  signPublicKey: Base64url({ bytes: 32 }),
  kemPublicKey: Base64url({ bytes: 32 }),
  createdAt: Type.Integer(),
});

const JoinRequest = Type.Object({
  requestId: RequestId,
  accountId: AccountId,
  email: Type.String(),
  status: Type.Union(['pending', 'approved', 'declined', 'removed', 'blocked'].map((s) => Type.Literal(s))),
  createdAt: Type.Integer(),
  devices: Type.Array(AccountDevice),
});

export const JoinRequestResponse = JoinRequest;
export const ListJoinRequestsResponse = Type.Object({ requests: Type.Array(JoinRequest) });
export const ListPendingDevicesResponse = Type.Object({
  devices: Type.Array(Type.Composite([AccountDevice, Type.Object({ accountId: AccountId, email: Type.String() })])),
});

export const BlockBody = Type.Object({ accountId: AccountId }, { additionalProperties: false });
export const BlockResponse = Type.Object({
  deviceIds: Type.Array(DeviceId, { description: 'Their devices still in the roster: publish one without them.' }),
});
export const ListBlocksResponse = Type.Object({
  blocks: Type.Array(Type.Object({ accountId: AccountId, email: Type.String(), createdAt: Type.Integer() })),
});
