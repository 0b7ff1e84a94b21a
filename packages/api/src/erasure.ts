/** Deleting: one's own account, a child's profile, a whole family (docs/api.md, "Deleting"). */
import { Type, type Static } from '@sinclair/typebox';
import { PASSWORD_MAX } from './accounts.js';
import { ChildId, FamilyId } from './primitives.js';

/** Re-authentication before what cannot be undone: the password, and a code when the account has a second factor. */
export const ConfirmOwnerBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  code: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 20,
      description: 'A current TOTP code or a recovery code; required when the account has a second factor.',
    }),
  ),
});
export type ConfirmOwnerBody = Static<typeof ConfirmOwnerBody>;

/** `:familyId/children/:childId`. */
export const ChildParams = Type.Object({ familyId: FamilyId, childId: ChildId });
export type ChildParams = Static<typeof ChildParams>;
