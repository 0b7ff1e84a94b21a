/**
 * `burrow incident notify --force-reset`: the accounts it names cannot sign in with their current
 * password. Sign-in checks the password as usual (so a guess learns nothing new) and then, for such an
 * account, answers 403 with "password reset required" and mails a reset link (through the normal,
 * throttled reset flow). The requirement lifts itself when the password changes: it stores the hash
 * the account had, and any new password — reset or change — has another.
 */
import type { Db } from '../db/index.js';
import { forbidden, isAppError } from '../errors/index.js';
import { liftPasswordReset } from './store.js';

export const PASSWORD_RESET_REQUIRED =
  'Password reset required: after a security incident, this account must choose a new password before it can sign in. ' +
  'We have sent a reset link to its email address (or use "Forgot your password?").';

export interface ForcedResetAccount {
  id: string;
  email: string;
  passwordHash: string;
}

export type ForcedResetGate = (account: ForcedResetAccount, meta: { ip: string; userAgent: string | null }) => Promise<void>;

export function createForcedResetGate({
  db,
  requestReset,
}: {
  db: Db;
  /** Mails a reset link (recovery/service.ts requestReset, with its own per-email throttle). */
  requestReset: (email: string, meta: { ip: string; userAgent: string | null }) => Promise<void>;
}): ForcedResetGate {
  return async (account, meta) => {
    const row = await db
      .selectFrom('forced_password_resets')
      .select('password_hash_at')
      .where('account_id', '=', account.id)
      .executeTakeFirst();
    if (!row) return;
    if (row.password_hash_at !== account.passwordHash) {
      await liftPasswordReset(db, account.id);
      return;
    }
    try {
      await requestReset(account.email, meta);
    } catch (err) {
      // The reset mail's own throttle (a few per hour) refused: a link was sent recently. Still say why.
      if (!isAppError(err, 'rate_limited')) throw err;
    }
    throw forbidden('password_reset_required', PASSWORD_RESET_REQUIRED);
  };
}
