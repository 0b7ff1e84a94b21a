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

/** What the server holds about the caller (GET /v1/me/export): their own data, as JSON. */
export const AccountExport = Type.Object({
  exportedAt: Type.Integer({ description: 'ms since the epoch.' }),
  account: Type.Object({
    accountId: Type.String(),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    createdAt: Type.Integer(),
  }),
  families: Type.Array(Type.Object({ familyId: FamilyId, role: Type.String() })),
  devices: Type.Array(Type.Object({ deviceId: Type.String(), createdAt: Type.Integer() })),
  sessions: Type.Array(
    Type.Object({
      sessionId: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.Integer(),
      lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
      expiresAt: Type.Integer(),
      ip: Type.Union([Type.String(), Type.Null()]),
      userAgent: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  securityEvents: Type.Array(
    Type.Object({
      kind: Type.String(),
      at: Type.Integer(),
      ip: Type.Union([Type.String(), Type.Null()]),
      browser: Type.Union([Type.String(), Type.Null()]),
      detail: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  auditEvents: Type.Array(
    Type.Object({
      at: Type.Integer(),
      action: Type.String(),
      status: Type.Integer(),
      familyId: Type.Union([Type.String(), Type.Null()]),
      deviceId: Type.Union([Type.String(), Type.Null()]),
      ip: Type.Union([Type.String(), Type.Null()]),
      resource: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: 'The audit events naming this account, newest first (at most 10,000).' },
  ),
});
export type AccountExport = Static<typeof AccountExport>;
