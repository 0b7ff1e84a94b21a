/**
 * What sign-up and sign-in need from the other account capabilities, as narrow ports declared here
 * (the consumer's side). accounts/ sits below sessions/, second-factors/ and recovery/ — they import
 * its password checks, throttle and security log — so it names what it asks of them here and never
 * imports them; account-security.ts passes the real ones in.
 */
import type { RequestMeta } from './request-meta.js';

/** A session as sign-up and sign-in hand it out (sessions/store.ts opens it). */
export interface OpenedSession {
  accountId: string;
  token: string;
  expiresAt: number;
}

/** Opens and ends sessions (sessions/store.ts). */
export interface SessionOpener {
  open(accountId: string, meta: RequestMeta): Promise<OpenedSession>;
  /** Ends every session of the account except `keepHash` (null: all); returns how many ended. */
  revokeAll(accountId: string, keepHash: string | null): Promise<number>;
  /** A well-formed session that opens nothing: the answer to a sign-up with a taken email. */
  decoy(): OpenedSession;
}

export type SecondFactorMethod = 'totp' | 'passkey' | 'recovery_code';

/** A password sign-in waiting for its second factor: a short-lived, single-use pending token. */
export interface PendingSignIn {
  pendingToken: string;
  expiresAt: number;
  methods: SecondFactorMethod[];
}

/** The account's second factors, as the Security page and `GET /v1/me` show them. */
export interface FactorStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
  /** A family of this account requires a second factor. */
  requiredByFamily: boolean;
  /** requiredByFamily and none is on yet: family operations are refused until one is. */
  mustAdd: boolean;
}

/** The second step of a password sign-in (second-factors/service.ts). */
export interface SecondFactorStep {
  /** TOTP confirmed, or at least one passkey. */
  hasSecondFactor(accountId: string): Promise<boolean>;
  /** Starts the pending sign-in a password answers with when a second factor is on. */
  startPending(accountId: string): Promise<PendingSignIn>;
  status(accountId: string): Promise<FactorStatus>;
}

/** Recovery codes as sign-up hands them out (recovery/recovery-codes.ts). */
export interface RecoveryCodeIssuer {
  /** Ten fresh codes for the account, shown once. */
  issue(accountId: string): Promise<string[]>;
  /** Codes of the same shape that open nothing: the answer to a sign-up with a taken email. */
  decoys(): string[];
}

/**
 * Refuses sign-in, after the password verified, while an incident requires this account to choose a
 * new password (incidents/forced-reset.ts makes one).
 */
export type PasswordResetGate = (
  account: { id: string; email: string; passwordHash: string },
  meta: RequestMeta,
) => Promise<void>;
