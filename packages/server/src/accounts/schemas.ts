import { Type } from '@sinclair/typebox';
import { DeviceId, FamilyId } from '../http/schemas.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';

const Email = Type.String({
  minLength: 3,
  maxLength: 254,
  description: 'Email address; trimmed and lowercased.',
});

export const SignUpBody = Type.Object({
  email: Email,
  password: Type.String({
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`,
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
  families: Type.Array(
    Type.Object({ familyId: FamilyId, role: Type.Union([Type.Literal('guardian'), Type.Literal('member')]) }),
  ),
  devices: Type.Array(Type.Object({ deviceId: DeviceId })),
});
