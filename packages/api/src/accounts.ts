/** Accounts: sign-up and sign-in, sessions, email links, second factors, passkeys, recovery codes, security events (docs/api.md, "Accounts"). */
import { Type, type Static } from '@sinclair/typebox';
import { FamilyRole } from './families.js';
import { DeviceId, FamilyId } from './primitives.js';

/** Password lengths (NIST SP 800-63B rev. 4 §3.1.1.2): the server's policy enforces them and the web app shows them. */
export const PASSWORD_MIN = 15;
/** The minimum once a second factor is on. */
export const PASSWORD_MIN_WITH_SECOND_FACTOR = 8;
export const PASSWORD_MAX = 256;
/**
 * The zxcvbn-ts score (0-4) a new password must reach: 3, "safely unguessable". The server's policy
 * refuses anything lower and the web app's meter calls only this score and above acceptable.
 */
export const PASSWORD_MIN_SCORE = 3;

/** Words anyone attacking a Burrow account would try first: a password is measured against them. */
export const PASSWORD_SITE_WORDS: readonly string[] = ['burrow', 'plush', 'cloudpets', 'cloud pets', 'teddy', 'toy', 'grandma', 'grandpa'];

/**
 * What a new password's strength is measured against, on the server and in the web app's meter alike:
 * the site's words, the account's email and its parts of three characters or more.
 */
export function passwordContextWords(email?: string): string[] {
  const inputs = [...PASSWORD_SITE_WORDS];
  if (email) inputs.push(email, ...email.split(/[@.+_-]/).filter((p) => p.length >= 3));
  return inputs;
}

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
export type SignUpBody = Static<typeof SignUpBody>;

export const LogInBody = Type.Object({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
});
export type LogInBody = Static<typeof LogInBody>;

export const SessionResponse = Type.Object({
  accountId: Type.String(),
  token: Type.String({
    description: 'Session token for `Authorization: Bearer`; also set as the burrow_session cookie.',
  }),
});
export type SessionResponse = Static<typeof SessionResponse>;

export const MeResponse = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  emailVerified: Type.Boolean({ description: 'The link mailed at sign-up was opened.' }),
  families: Type.Array(
    Type.Object({ familyId: FamilyId, role: FamilyRole }),
  ),
  devices: Type.Array(Type.Object({ deviceId: DeviceId })),
  security: Type.Object({
    totp: Type.Boolean(),
    passkeys: Type.Integer(),
    recoveryCodes: Type.Integer(),
    requiredByFamily: Type.Boolean(),
    mustAdd: Type.Boolean({ description: 'A family requires a second factor and none is on: family operations answer 403.' }),
  }),
});
export type MeResponse = Static<typeof MeResponse>;

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
export type SessionView = Static<typeof SessionView>;

export const SessionsResponse = Type.Object({ sessions: Type.Array(SessionView) });
export type SessionsResponse = Static<typeof SessionsResponse>;

export const SessionParams = Type.Object({ sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });

export const RevokedResponse = Type.Object({ ended: Type.Integer({ description: 'How many sessions ended.' }) });
export type RevokedResponse = Static<typeof RevokedResponse>;

export const ChangePasswordBody = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  newPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'Same rules as at sign-up.' }),
});
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

const LinkToken = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'The token from the link’s fragment (#token=bl_…).',
});

export const VerifyEmailBody = Type.Object({ token: LinkToken });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;

export const RequestResetBody = Type.Object({ email: Email });
export type RequestResetBody = Static<typeof RequestResetBody>;

export const ResetPasswordBody = Type.Object({
  token: LinkToken,
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'The new password; same rules as at sign-up.' }),
});
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;

export const Accepted = Type.Object({
  accepted: Type.Literal(true, { description: 'Said whether or not a mail was sent (no enumeration).' }),
});
export type Accepted = Static<typeof Accepted>;

// --- second factors, passkeys, recovery codes, security events (second-factor.ts, passkeys.ts) ---

export const SignedInResponse = Type.Object({
  accountId: Type.String(),
  token: Type.String({ description: 'Session token for `Authorization: Bearer`; also set as the burrow_session cookie.' }),
  mustAddSecondFactor: Type.Boolean({
    description: 'A family of this account requires a second factor it has not added: family operations answer 403 until it does.',
  }),
});
export type SignedInResponse = Static<typeof SignedInResponse>;

export const SignUpResponse = Type.Object({
  accountId: Type.String(),
  token: Type.String({ description: 'Session token; also set as the burrow_session cookie.' }),
  recoveryCodes: Type.Array(Type.String({ pattern: '^[0-9a-z]{5}-[0-9a-z]{5}$' }), {
    description: 'Ten single-use recovery codes, shown this once (each resets the password without email or stands in for the second factor).',
  }),
});
export type SignUpResponse = Static<typeof SignUpResponse>;

const Method = Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery_code')]);

export const SecondFactorRequired = Type.Object({
  secondFactorRequired: Type.Literal(true),
  pendingToken: Type.String({ description: 'pl_…: completes this sign-in only, for 5 minutes, once. Not a session.' }),
  expiresAt: Type.Integer(),
  methods: Type.Array(Method, { description: 'What the account can use for the second step.' }),
});
export type SecondFactorRequired = Static<typeof SecondFactorRequired>;

const PendingToken = Type.String({ pattern: '^pl_[A-Za-z0-9_-]{43}$' });

export const SecondFactorBody = Type.Object({
  pendingToken: PendingToken,
  code: Type.String({ minLength: 6, maxLength: 20, description: 'The 6 digits of the authenticator app, or a recovery code.' }),
});
export type SecondFactorBody = Static<typeof SecondFactorBody>;

export const PendingBody = Type.Object({ pendingToken: PendingToken });
export type PendingBody = Static<typeof PendingBody>;

/** A WebAuthn JSON object as @simplewebauthn/browser produces it; checked in full by @simplewebauthn/server. */
const CredentialJson = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400 }),
    rawId: Type.String({ minLength: 1, maxLength: 1400 }),
    type: Type.Literal('public-key'),
    response: Type.Object({}, { additionalProperties: true }),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

const ChallengeId = Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' });

export const WebAuthnOptionsResponse = Type.Object({
  challengeId: ChallengeId,
  options: Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredential{Creation,Request}OptionsJSON for @simplewebauthn/browser.' }),
});
export type WebAuthnOptionsResponse = Static<typeof WebAuthnOptionsResponse>;

export const PasskeySignInBody = Type.Object({ challengeId: ChallengeId, response: CredentialJson });
export type PasskeySignInBody = Static<typeof PasskeySignInBody>;

export const PasskeySecondFactorBody = Type.Object({ pendingToken: PendingToken, challengeId: ChallengeId, response: CredentialJson });
export type PasskeySecondFactorBody = Static<typeof PasskeySecondFactorBody>;

export const RegisterPasskeyBody = Type.Object({
  challengeId: ChallengeId,
  response: CredentialJson,
  name: Type.Optional(Type.String({ maxLength: 60, description: 'e.g. “My phone”; default “Passkey”.' })),
});
export type RegisterPasskeyBody = Static<typeof RegisterPasskeyBody>;

export const PasskeyView = Type.Object({
  passkeyId: Type.String(),
  name: Type.String(),
  createdAt: Type.Integer(),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type PasskeyView = Static<typeof PasskeyView>;

export const PasskeysResponse = Type.Object({ passkeys: Type.Array(PasskeyView) });
export type PasskeysResponse = Static<typeof PasskeysResponse>;

export const PasskeyParams = Type.Object({ passkeyId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });

export const RenamePasskeyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 60 }) });
export type RenamePasskeyBody = Static<typeof RenamePasskeyBody>;

export const TotpEnrolmentResponse = Type.Object({
  secret: Type.String({ description: 'Base32 secret, to type into an authenticator app by hand.' }),
  uri: Type.String({ description: 'otpauth://totp/… URI, for a QR code.' }),
});
export type TotpEnrolmentResponse = Static<typeof TotpEnrolmentResponse>;

export const TotpCodeBody = Type.Object({ code: Type.String({ pattern: '^\\s*\\d{3}\\s?\\d{3}\\s*$' }) });
export type TotpCodeBody = Static<typeof TotpCodeBody>;

export const RecoveryCodesResponse = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'New codes, shown this once; empty when the account still had unused ones.' }),
});
export type RecoveryCodesResponse = Static<typeof RecoveryCodesResponse>;

export const DisableTotpBody = Type.Object({
  password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD_MAX })),
  code: Type.Optional(Type.String({ minLength: 6, maxLength: 20, description: 'A current TOTP code or a recovery code.' })),
});
export type DisableTotpBody = Static<typeof DisableTotpBody>;

export const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }) });
export type PasswordBody = Static<typeof PasswordBody>;

export const SecurityStatus = Type.Object({
  totp: Type.Boolean({ description: 'TOTP second factor on.' }),
  passkeys: Type.Integer(),
  recoveryCodes: Type.Integer({ description: 'Unused recovery codes left.' }),
  requiredByFamily: Type.Boolean(),
  mustAdd: Type.Boolean({ description: 'Required by a family and none on yet: family operations are refused.' }),
});
export type SecurityStatus = Static<typeof SecurityStatus>;

export const SecurityEvent = Type.Object({
  kind: Type.String({ description: 'signed_in, new_browser, password_changed, totp_enabled, passkey_added, session_revoked, …' }),
  at: Type.Integer(),
  ip: Type.Union([Type.String(), Type.Null()]),
  browser: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.String(), Type.Null()]),
});
export type SecurityEvent = Static<typeof SecurityEvent>;

export const SecurityEventsResponse = Type.Object({ events: Type.Array(SecurityEvent) });
export type SecurityEventsResponse = Static<typeof SecurityEventsResponse>;

export const RecoveryResetBody = Type.Object({
  email: Email,
  recoveryCode: Type.String({ minLength: 10, maxLength: 20 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'The new password; same rules as a change.' }),
});
export type RecoveryResetBody = Static<typeof RecoveryResetBody>;

export const FamilyRequirementResponse = Type.Object({
  required: Type.Boolean(),
  requiredAt: Type.Union([Type.Integer(), Type.Null()]),
  membersWithout: Type.Integer({ description: 'Members with neither TOTP nor a passkey.' }),
});
export type FamilyRequirementResponse = Static<typeof FamilyRequirementResponse>;

export const FamilyRequirementBody = Type.Object({ required: Type.Boolean() });
export type FamilyRequirementBody = Static<typeof FamilyRequirementBody>;
