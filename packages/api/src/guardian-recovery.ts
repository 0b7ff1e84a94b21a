/**
 * A sole guardian who lost every approved device seats a new one with a recovery code and the toy in
 * hand (docs/api.md, "Toys"; docs/protocol.md §5.1; docs/safety.md, "Losing every device").
 */
import { Type, type Static } from '@sinclair/typebox';
import { Base64url, DeviceId, Roster } from './primitives.js';
import { Lookup } from './toys.js';

export const RecoverGuardianBody = Type.Object({
  recoveryCode: Type.String({ minLength: 10, maxLength: 20, description: 'One of the account’s unused recovery codes; spent on success.' }),
  lookup: Lookup,
  roster: Roster,
  rosterTag: Base64url({ bytes: 32, description: 'HMAC binding the recovery roster to the toy’s pairing code (§5.1).' }),
});
export type RecoverGuardianBody = Static<typeof RecoverGuardianBody>;

export const RecoverGuardianResponse = Type.Object({
  toyId: DeviceId,
  rosterVersion: Type.Integer({ minimum: 2 }),
});
export type RecoverGuardianResponse = Static<typeof RecoverGuardianResponse>;

/** A toy's signature that it pinned a recovery roster (§5.1); other devices need it to follow. */
export const RecoveryEndorsement = Type.Object({
  toyId: DeviceId,
  version: Type.Integer({ minimum: 2 }),
  signature: Base64url({ bytes: 64, description: 'Ed25519 by the toy over T("burrow/v1/roster-recovery", [familyId, version, rosterHash]).' }),
});
export type RecoveryEndorsement = Static<typeof RecoveryEndorsement>;

export const RecoveryEndorsementsResponse = Type.Object({ endorsements: Type.Array(RecoveryEndorsement) });
export type RecoveryEndorsementsResponse = Static<typeof RecoveryEndorsementsResponse>;
