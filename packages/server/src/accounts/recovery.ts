/**
 * Links mailed to an account: email verification (24 h) and password reset (1 h). Each link holds a
 * random token (`bl_` + 32 bytes); only its SHA-256 is stored, bound to one account and one purpose,
 * and redeemed with a single conditional UPDATE, so it works exactly once and never after expiry.
 * The link puts the token in the URL fragment (`#`), which browsers send to no server and no
 * Referer. Asking for a reset answers 202 whether or not the email has an account.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { AccountLinkPurpose, Db } from '../db/index.js';
import { badRequest } from '../errors/index.js';
import { hashToken } from '../auth/index.js';
import { normalizeEmail } from './email.js';
import type { Notices } from './notices.js';
import type { PasswordPolicy } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';
import type { RecoveryCodes } from './recovery-codes.js';
import type { SecondFactors } from './second-factor.js';
import type { SecurityEvents } from './security-events.js';
import { logInAccountKey, type RequestMeta } from './service.js';
import type { SessionStore } from './sessions.js';
import { defaultThrottleRules, throttleKey, type Throttle, type ThrottleRules } from './throttle.js';

export const LINK_PREFIX = 'bl_';
export const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

/** Web app pages the links open (they POST the fragment's token to the API). */
export const VERIFY_PATH = '/verify-email';
export const RESET_PATH = '/reset-password';

const BAD_LINK = 'This link is not valid: it was already used, has expired, or was mistyped. Ask for a new one.';

export interface Recovery {
  sendVerification(accountId: string, email: string): Promise<void>;
  resendVerification(accountId: string, meta: RequestMeta): Promise<void>;
  verifyEmail(token: string, meta: RequestMeta): Promise<void>;
  requestReset(email: string, meta: RequestMeta): Promise<void>;
  resetPassword(input: { token: string; password: string }, meta: RequestMeta): Promise<void>;
  /**
   * Resets the password with a recovery code instead of a mailed link (the code is spent). Unknown
   * email and wrong code get the same answer, under the same throttle.
   */
  resetWithRecoveryCode(input: { email: string; recoveryCode: string; password: string }, meta: RequestMeta): Promise<void>;
}

export interface RecoveryPorts {
  db: Db;
  clock: Clock;
  log: Logger;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  sessions: SessionStore;
  notices: Notices;
  throttle: Throttle;
  /** The origin links point at, e.g. https://burrow.example.org. */
  linkOrigin: string;
  factors: SecondFactors;
  codes: RecoveryCodes;
  events: SecurityEvents;
  throttleRules?: ThrottleRules;
}

export function createRecovery({
  db,
  clock,
  log,
  hasher,
  policy,
  sessions,
  notices,
  throttle,
  linkOrigin,
  factors,
  codes,
  events,
  throttleRules: rules = defaultThrottleRules,
}: RecoveryPorts): Recovery {
  /** Sets the new password, ends every session and outstanding reset link, and says so. */
  async function replacePassword(accountId: string, password: string, meta: RequestMeta, how: 'link' | 'recovery_code') {
    const row = await db.selectFrom('accounts').select('email').where('id', '=', accountId).executeTakeFirstOrThrow();
    const fresh = await hasher.hash(password);
    await db
      .updateTable('accounts')
      // Whoever holds the mailbox has just proved it (a recovery code proves nothing about mail).
      .set({ password_hash: fresh.hash, pepper_id: fresh.pepperId, ...(how === 'link' ? { email_verified_at: clock.now() } : {}) })
      .where('id', '=', accountId)
      .execute();
    await db
      .updateTable('account_links')
      .set({ used_at: clock.now() })
      .where('account_id', '=', accountId)
      .where('purpose', '=', 'reset_password')
      .where('used_at', 'is', null)
      .execute();
    const ended = await sessions.revokeAll(accountId, null);
    await throttle.clear(logInAccountKey(row.email, rules));
    log.info({ accountId, endedSessions: ended, how }, 'password reset');
    await events.record(accountId, how === 'link' ? 'password_reset' : 'password_reset_recovery_code', meta);
    notices.securityChange(
      row.email,
      how === 'link'
        ? `The password of your Burrow account was reset with a link sent to this address, and every session was signed out.`
        : `The password of your Burrow account was reset with one of your recovery codes, and every session was signed out.`,
    );
  }

  async function issue(accountId: string, purpose: AccountLinkPurpose, ttl: number, path: string): Promise<string> {
    const token = LINK_PREFIX + randomBytes(32).toString('base64url');
    const now = clock.now();
    await db
      .insertInto('account_links')
      .values({ token_hash: hashToken(token), account_id: accountId, purpose, created_at: now, expires_at: now + ttl, used_at: null })
      .execute();
    return `${linkOrigin}${path}#token=${token}`;
  }

  /** Marks the link used if it is unused, unexpired and of this purpose; returns its account. */
  async function redeem(token: string, purpose: AccountLinkPurpose, meta: RequestMeta): Promise<string> {
    const addressKey = throttleKey('link-address', meta.ip, rules.address);
    await throttle.check([addressKey]);
    const now = clock.now();
    const row = /^bl_[A-Za-z0-9_-]{43}$/.test(token)
      ? await db
          .updateTable('account_links')
          .set({ used_at: now })
          .where('token_hash', '=', hashToken(token))
          .where('purpose', '=', purpose)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('account_id')
          .executeTakeFirst()
      : undefined;
    if (!row) {
      await throttle.fail([addressKey]);
      throw badRequest(BAD_LINK);
    }
    return row.account_id;
  }

  const sendVerification = async (accountId: string, email: string) => {
    notices.verifyEmail(email, await issue(accountId, 'verify_email', VERIFY_TTL_MS, VERIFY_PATH));
  };

  return {
    sendVerification,

    async resendVerification(accountId, meta) {
      const row = await db
        .selectFrom('accounts')
        .select(['email', 'email_verified_at'])
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      if (row.email_verified_at !== null) return;
      const mailKey = throttleKey('mail', row.email, rules.mail);
      await throttle.check([mailKey, throttleKey('mail-address', meta.ip, rules.address)]);
      await throttle.fail([mailKey]);
      await sendVerification(accountId, row.email);
    },

    async verifyEmail(token, meta) {
      const accountId = await redeem(token, 'verify_email', meta);
      await db
        .updateTable('accounts')
        .set({ email_verified_at: clock.now() })
        .where('id', '=', accountId)
        .where('email_verified_at', 'is', null)
        .execute();
    },

    async requestReset(rawEmail, meta) {
      const email = normalizeEmail(rawEmail);
      const mailKey = throttleKey('mail', email, rules.mail);
      const addressKey = throttleKey('mail-address', meta.ip, rules.address);
      // Counted for unknown emails too: the answer (and its timing) must not tell them apart.
      await throttle.check([mailKey, addressKey]);
      await throttle.fail([mailKey, addressKey]);
      const row = await db.selectFrom('accounts').select(['id', 'email']).where('email', '=', email).executeTakeFirst();
      if (!row) return;
      notices.resetPassword(row.email, await issue(row.id, 'reset_password', RESET_TTL_MS, RESET_PATH));
    },

    async resetPassword(input, meta) {
      // Check the new password first, so a refused one does not spend the link.
      const peek = /^bl_[A-Za-z0-9_-]{43}$/.test(input.token)
        ? await db
            .selectFrom('account_links')
            .innerJoin('accounts', 'accounts.id', 'account_links.account_id')
            .select(['accounts.email'])
            .where('account_links.token_hash', '=', hashToken(input.token))
            .executeTakeFirst()
        : undefined;
      if (peek) {
        const account = await db.selectFrom('account_links').select('account_id').where('token_hash', '=', hashToken(input.token)).executeTakeFirstOrThrow();
        await policy.check(input.password, { email: peek.email, secondFactor: await factors.hasSecondFactor(account.account_id) });
      }
      const accountId = await redeem(input.token, 'reset_password', meta);
      // Every other outstanding reset link dies with this one; every session ends.
      await replacePassword(accountId, input.password, meta, 'link');
    },

    async resetWithRecoveryCode(input, meta) {
      let email: string | null;
      try {
        email = normalizeEmail(input.email);
      } catch {
        email = null;
      }
      const addressKey = throttleKey('recovery-address', meta.ip, rules.address);
      const accountKey = throttleKey('recovery-account', email ?? input.email, rules.account);
      await throttle.check([addressKey, accountKey]);
      const row = email === null ? undefined : await db.selectFrom('accounts').select(['id', 'email']).where('email', '=', email).executeTakeFirst();
      // The code is checked first (unknown email or wrong code: one answer), then the new password,
      // and only then spent, so a refused password keeps the code.
      if (!row || !(await codes.peek(row.id, input.recoveryCode))) {
        await throttle.fail([addressKey, accountKey]);
        throw badRequest('That email and recovery code do not match. Check the code (each works once), or reset by email.');
      }
      await policy.check(input.password, { email: row.email, secondFactor: await factors.hasSecondFactor(row.id) });
      if (!(await codes.consume(row.id, input.recoveryCode))) throw badRequest('That recovery code was just used. Use another one.');
      await throttle.clear(accountKey);
      await replacePassword(row.id, input.password, meta, 'recovery_code');
    },
  };
}
