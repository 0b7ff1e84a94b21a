import { Type } from '@sinclair/typebox';
import { Base64url, ChildId, DeviceId, Envelope, FamilyId, ProtocolJson, Roster } from '../http/schemas.js';

export { DeviceKeysBody as RegisterToyBody } from '../devices/schemas.js';

/** The part of a pairing code the server sees: Crockford base32 (no I, L, O, U). */
export const Lookup = Type.String({
  pattern: '^[0-9A-HJKMNP-TV-Z]{6,16}$',
  description: 'Pairing lookup (Crockford base32, uppercase).',
});
const Tag = (description: string) => Base64url({ bytes: 32, description });

export const RegisterToyResponse = Type.Object({
  toyId: DeviceId,
  token: Type.String({ description: 'Toy bearer token (`bt_...`); shown once.' }),
});

export const OpenPairingBody = Type.Object({
  lookup: Lookup,
  keysTag: Tag('HMAC over the toy keys with the pairing key (§5).'),
});
export const OpenPairingResponse = Type.Object({ expiresAt: Type.Integer() });

export const PairingResponse = Type.Object({
  status: Type.Union([Type.Literal('waiting'), Type.Literal('claimed'), Type.Literal('none')]),
  expiresAt: Type.Optional(Type.Integer()),
  familyId: Type.Optional(FamilyId),
  roster: Type.Optional(Roster),
  rosterTag: Type.Optional(Tag('HMAC binding the roster to this pairing (§5).')),
});

export const LookupParams = Type.Object({ lookup: Lookup });
export const LookupResponse = Type.Object({
  toyId: DeviceId,
  signPublicKey: Base64url({ bytes: 32 }),
  kemPublicKey: Base64url({ bytes: 32 }),
  keysTag: Tag('HMAC over the toy keys with the pairing key (§5).'),
  expiresAt: Type.Integer(),
});

export const ClaimToyBody = Type.Object({
  lookup: Lookup,
  childId: ChildId,
  roster: Roster,
  rosterTag: Tag('HMAC binding the roster to this pairing (§5).'),
});
export const ClaimToyResponse = Type.Object({ toyId: DeviceId });

export const ToyMeResponse = Type.Object({
  toyId: DeviceId,
  familyId: Type.Optional(FamilyId),
  childId: Type.Optional(ChildId),
});

export const ToyParams = Type.Object({ familyId: FamilyId, toyId: DeviceId });

export const ListToysResponse = Type.Object({
  toys: Type.Array(
    Type.Object({
      toyId: DeviceId,
      childId: Type.Union([ChildId, Type.Null()]),
      name: Type.Union([Envelope, Type.Null()]),
      online: Type.Boolean(),
      lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
      unplayed: Type.Integer({ minimum: 0 }),
    }),
  ),
});

export const RenameToyBody = Type.Object({
  name: ProtocolJson("The toy's name, sealed to the family's devices (an envelope of kind `record`)."),
});

export const UnpairToyBody = Type.Object({
  roster: ProtocolJson('The next roster: the current devices without the toy, signed by the calling guardian device.'),
});
export const UnpairToyResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
