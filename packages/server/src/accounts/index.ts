/**
 * The public face of accounts/ (credentials: passwords, sign-up, sign-in, email verification, the
 * guessing throttle, the security log and account mail) for the capabilities built on it —
 * sessions/, second-factors/, recovery/ — and for the tripwires, which wrap the password hasher.
 * Its wire schemas are in @burrow/api.
 */
export type { Credentials } from './credentials.js';
export { canonicalEmail, normalizeEmail } from './email.js';
export { accountEmailsOf, createAccountEmails, encryptClearEmails, type AccountEmails } from './email-store.js';
export { deleteLinksOf, type AccountLinks } from './links.js';
export { normalizePassword } from './password-policy.js';
export { argon2Lane } from './argon2-slots.js';
export { argon2Params, type Argon2Costs, type PasswordHasher, type StoredPassword } from './passwords.js';
export type { Pepper } from './pepper.js';
export type {
  FactorStatus,
  OpenedSession,
  PasswordResetGate,
  PendingSignIn,
  RecoveryCodeIssuer,
  SecondFactorMethod,
  SecondFactorStep,
  SessionOpener,
} from './ports.js';
export { metaOf, type RequestMeta } from './request-meta.js';
export { deleteSecurityEventsOf, fadeSecurityEventIps, type SecurityEventKind } from './security-events.js';
export { logIpPage, type FadeIps, type TimeOrderedLog } from './log-ip-page.js';
export { countFaded, fadedGroups, fadeIp, FADED_IP_PATTERN, IP_KEEP_DAYS, IP_KEEP_MS, ipFadeJob, keyPage, type IpPage } from './ip-fade.js';
export { logInAccountKey, type SignedIn } from './service.js';
export { longEnoughAlone } from './short-password.js';
export type { Telling } from './telling.js';
export { deleteThrottleRowsOf, throttleKey, withRetryAfter } from './throttle.js';
export { describeUserAgent } from './user-agent.js';
