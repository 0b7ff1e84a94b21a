import { Type } from '@sinclair/typebox';
import { DeviceId, FamilyId } from '../http/schemas.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './password-policy.js';

const Email = Type.String({
  minLength: 3,
  maxLength: 254,
  description: 'Email address; trimmed and lowercased.',
});

export const SignUpBody = Type.Object({
  email: Email,
  password: Type.String({
    minLength: 1,
    maxLength: PASSWORD_MAX,
    description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters, any printable ones and spaces; refused when common, breached or easy to guess (the message says why).`,
  }),
});

export const LogInBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
});

export const SessionResponse = Type.Object({
  accountId: Type.String(),
  token: Type.String({
    description: 'Session token for `Authorization: Bearer`; also set as the burrow_session cookie.',
  }),
});

export const MeResponse = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  emailVerified: Type.Boolean({ description: 'The link mailed at sign-up was opened.' }),
  families: Type.Array(
    Type.Object({ familyId: FamilyId, role: Type.Union([Type.Literal('guardian'), Type.Literal('member')]) }),
  ),
  devices: Type.Array(Type.Object({ deviceId: DeviceId })),
});

export const SessionView = Type.Object({
  sessionId: Type.String(),
  current: Type.Boolean({ description: 'The session this request is made with.' }),
  browser: Type.String({ description: 'From the User-Agent, e.g. "Firefox".' }),
  system: Type.Union([Type.String(), Type.Null()], { description: 'e.g. "Android"; null if unknown.' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  lastUsedAt: Type.Integer(),
  expiresAt: Type.Integer({ description: 'The earlier of the absolute and the idle expiry.' }),
});

export const SessionsResponse = Type.Object({ sessions: Type.Array(SessionView) });

export const SessionParams = Type.Object({ sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });

export const RevokedResponse = Type.Object({ ended: Type.Integer({ description: 'How many sessions ended.' }) });

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  newPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'Same rules as at sign-up.' }),
});

const LinkToken = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'The token from the link’s fragment (#token=bl_…).',
});

export const VerifyEmailBody = Type.Object({ token: LinkToken });

export const RequestResetBody = Type.Object({ email: Email });

export const ResetPasswordBody = Type.Object({
  token: LinkToken,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'The new password; same rules as at sign-up.' }),
});

export const Accepted = Type.Object({
  accepted: Type.Literal(true, { description: 'Said whether or not a mail was sent (no enumeration).' }),
});
