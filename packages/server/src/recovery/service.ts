/**
 * Getting back into an account without its password: a reset link mailed to the address (1 h, single
 * use; accounts/links.ts), or one of the account's recovery codes (recovery-codes.ts) when the mailbox
 * is out of reach. Asking for a link answers 202 whether or not the email has an account; an unknown
 * email and a wrong code get the same answer under the same throttle. Either way the new password is
 * checked first (a refused one spends nothing), then every session and outstanding reset link ends
 * and the owner is told.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest } from '../errors/index.js';
import {
  logInAccountKey,
  normalizeEmail,
  throttleKey,
  type AccountLinks,
  type Credentials,
  type RequestMeta,
  type Telling,
} from '../accounts/index.js';
import type { RecoveryCodes } from './recovery-codes.js';

export interface Recovery {
  requestReset(email: string, meta: RequestMeta): Promise<void>;
  resetPassword(input: { token: string; password: string }, meta: RequestMeta): Promise<void>;
  /**
   * Resets the password with a recovery code instead of a mailed link (the code is spent). Unknown
   * email and wrong code get the same answer, under the same throttle.
   */
  resetWithRecoveryCode(input: { email: string; recoveryCode: string; password: string }, meta: RequestMeta): Promise<void>;
}

/** The other capabilities a reset reaches, as narrow ports. */
export interface RecoveryNeighbours {
  /** The mailed links (accounts/links.ts). */
  links: AccountLinks;
  /** Ends the account's sessions (sessions/store.ts). */
  sessions: { revokeAll(accountId: string, keepHash: string | null): Promise<number> };
  codes: RecoveryCodes;
  /** Whether a second factor is on, which relaxes the password length (second-factors/gate.ts). */
  hasSecondFactor: (accountId: string) => Promise<boolean>;
}

export function createRecovery({
  db,
  clock,
  log,
  credentials: { hasher, policy, throttle, rules, emails },
  tell: { events, notices },
  neighbours: { links, sessions, codes, hasSecondFactor },
}: {
  db: Db;
  clock: Clock;
  log: Logger;
  credentials: Credentials;
  tell: Telling;
  neighbours: RecoveryNeighbours;
}): Recovery {
  /** Sets the new password, ends every session and outstanding reset link, and says so. */
  async function replacePassword(accountId: string, password: string, meta: RequestMeta, how: 'link' | 'recovery_code') {
    const email = await emails.emailOf(db, accountId);
    if (email === undefined) throw new Error('no such account');
    const row = { email };
    const fresh = await hasher.hash(password);
    await db
      .updateTable('accounts')
      // Whoever holds the mailbox has just proved it (a recovery code proves nothing about mail).
      .set({ password_hash: fresh.hash, pepper_id: fresh.pepperId, ...(how === 'link' ? { email_verified_at: clock.now() } : {}) })
      .where('id', '=', accountId)
      .execute();
    await links.endResets(accountId);
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

  return {
    async requestReset(rawEmail, meta) {
      const email = normalizeEmail(rawEmail);
      const mailKey = throttleKey('mail', email, rules.mail);
      const addressKey = throttleKey('mail-address', meta.ip, rules.address);
      // Counted for unknown emails too: the answer (and its timing) must not tell them apart.
      await throttle.check([mailKey, addressKey]);
      await throttle.fail([mailKey, addressKey]);
      const row = await emails.findByEmail(db, email);
      if (!row) return;
      notices.resetPassword(row.email, await links.issue(row.id, 'reset_password'), meta.ip);
    },

    async resetPassword(input, meta) {
      // Check the new password first, so a refused one does not spend the link.
      const peek = await links.peek(input.token);
      if (peek) await policy.check(input.password, { email: peek.email, secondFactor: await hasSecondFactor(peek.accountId) });
      const accountId = await links.redeem(input.token, 'reset_password', meta);
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
      const row = email === null ? undefined : await emails.findByEmail(db, email);
      // The code is checked first (unknown email or wrong code: one answer), then the new password,
      // and only then spent, so a refused password keeps the code.
      if (!row || !(await codes.peek(row.id, input.recoveryCode))) {
        await throttle.fail([addressKey, accountKey]);
        throw badRequest('reset_code_wrong', 'That email and recovery code do not match. Check the code (each works once), or reset by email.');
      }
      await policy.check(input.password, { email: row.email, secondFactor: await hasSecondFactor(row.id) });
      if (!(await codes.consume(row.id, input.recoveryCode))) throw badRequest('recovery_code_just_used', 'That recovery code was just used. Use another one.');
      await throttle.clear(accountKey);
      await replacePassword(row.id, input.password, meta, 'recovery_code');
    },
  };
}
