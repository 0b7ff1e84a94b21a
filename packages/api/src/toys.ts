/** Toys: registration, pairing, the family's view of its toys, names, unpairing and settings (docs/api.md, "Toys"). */
import type { DeletionWire, ToySettingsWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { DeviceKeysBody } from './devices.js';
import { Base64url, ChildId, Cursor, DeviceId, Envelope, FamilyId, PageLimit, ProtocolJson, Roster } from './primitives.js';

/** A toy registers its keys with the same body as a person's device. */
export const RegisterToyBody = DeviceKeysBody;
export type RegisterToyBody = Static<typeof RegisterToyBody>;

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
export type RegisterToyResponse = Static<typeof RegisterToyResponse>;

export const OpenPairingBody = Type.Object({
  lookup: Lookup,
  keysTag: Tag('HMAC over the toy keys with the pairing key (§5).'),
});
export type OpenPairingBody = Static<typeof OpenPairingBody>;
export const OpenPairingResponse = Type.Object({ expiresAt: Type.Integer() });
export type OpenPairingResponse = Static<typeof OpenPairingResponse>;

export const PairingResponse = Type.Object({
  status: Type.Union([Type.Literal('waiting'), Type.Literal('claimed'), Type.Literal('none')]),
  expiresAt: Type.Optional(Type.Integer()),
  familyId: Type.Optional(FamilyId),
  roster: Type.Optional(Roster),
  rosterTag: Type.Optional(Tag('HMAC binding the roster to this pairing (§5).')),
});
export type PairingResponse = Static<typeof PairingResponse>;

export const LookupParams = Type.Object({ lookup: Lookup });
export const LookupResponse = Type.Object({
  toyId: DeviceId,
  signPublicKey: Base64url({ bytes: 32 }),
  kemPublicKey: Base64url({ bytes: 32 }),
  keysTag: Tag('HMAC over the toy keys with the pairing key (§5).'),
  expiresAt: Type.Integer(),
});
export type LookupResponse = Static<typeof LookupResponse>;

export const ClaimToyBody = Type.Object({
  lookup: Lookup,
  childId: ChildId,
  roster: Roster,
  rosterTag: Tag('HMAC binding the roster to this pairing (§5).'),
});
export type ClaimToyBody = Static<typeof ClaimToyBody>;
export const ClaimToyResponse = Type.Object({ toyId: DeviceId });
export type ClaimToyResponse = Static<typeof ClaimToyResponse>;

export const ToyMeResponse = Type.Object({
  toyId: DeviceId,
  familyId: Type.Optional(FamilyId),
  childId: Type.Optional(ChildId),
});
export type ToyMeResponse = Static<typeof ToyMeResponse>;

export const ToyParams = Type.Object({ familyId: FamilyId, toyId: DeviceId });

/** A paired toy as the family sees it: its sealed name, presence and unplayed count. */
export const FamilyToy = Type.Object({
  toyId: DeviceId,
  childId: Type.Union([ChildId, Type.Null()]),
  name: Type.Union([Envelope, Type.Null()]),
  online: Type.Boolean(),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
  unplayed: Type.Integer({ minimum: 0 }),
});
export type FamilyToy = Static<typeof FamilyToy>;
export const ListToysResponse = Type.Object({ toys: Type.Array(FamilyToy) });
export type ListToysResponse = Static<typeof ListToysResponse>;

export const RenameToyBody = Type.Object({
  name: ProtocolJson<Static<typeof Envelope>>("The toy's name, sealed to the family's devices (an envelope of kind `record`)."),
});
export type RenameToyBody = Static<typeof RenameToyBody>;

export const UnpairToyBody = Type.Object({
  roster: ProtocolJson<Static<typeof Roster>>('The next roster: the current devices without the toy, signed by the calling guardian device.'),
});
export type UnpairToyBody = Static<typeof UnpairToyBody>;
export const UnpairToyResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
export type UnpairToyResponse = Static<typeof UnpairToyResponse>;

// --- settings (quiet hours), signed by a guardian device (docs/protocol.md §10) ---

const ToySettings = ProtocolJson<ToySettingsWire>('Guardian-signed toy settings (docs/protocol.md §10).');
export const PutToySettingsBody = Type.Object({ settings: ToySettings });
export type PutToySettingsBody = Static<typeof PutToySettingsBody>;
export const PutToySettingsResponse = Type.Object({ version: Type.Integer({ minimum: 1 }) });
export type PutToySettingsResponse = Static<typeof PutToySettingsResponse>;
export const ToySettingsResponse = Type.Object({ settings: Type.Union([ToySettings, Type.Null()]) });
export type ToySettingsResponse = Static<typeof ToySettingsResponse>;

/** A toy's feed of deletion instructions after its cursor (docs/protocol.md §16). */
export const ToyDeletionsQuery = Type.Object({ after: Type.Optional(Cursor), limit: Type.Optional(PageLimit) });
export type ToyDeletionsQuery = Static<typeof ToyDeletionsQuery>;
export const ToyDeletionsResponse = Type.Object({
  deletions: Type.Array(
    Type.Object({ seq: Type.Integer({ minimum: 1 }), instruction: ProtocolJson<DeletionWire>('A signed deletion (docs/protocol.md §16).') }),
  ),
});
export type ToyDeletionsResponse = Static<typeof ToyDeletionsResponse>;

/** A guardian marks a toy lost or stolen: the same roster as for unpairing (docs/safety.md). */
export const MarkToyLostBody = Type.Object({ roster: Roster });
export type MarkToyLostBody = Static<typeof MarkToyLostBody>;
export const MarkToyLostResponse = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()], { description: 'When the toy last checked in before it was marked lost.' }),
});
export type MarkToyLostResponse = Static<typeof MarkToyLostResponse>;
export const LostToy = Type.Object({
  toyId: DeviceId,
  childId: Type.Union([ChildId, Type.Null()]),
  lostAt: Type.Integer(),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type LostToy = Static<typeof LostToy>;
export const ListLostToysResponse = Type.Object({ toys: Type.Array(LostToy) });
export type ListLostToysResponse = Static<typeof ListLostToysResponse>;
