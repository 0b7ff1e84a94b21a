/**
 * SP 800-63B rev. 4: a password that is the only factor has at least 15 characters; beside a second
 * factor, 8 are enough. The server never learns a stored password's length, so removing the last
 * second factor (TOTP turned off with a code, the last passkey removed) can leave a short password as
 * the only factor. The first sign-in that presents it closes the gap: the password is checked as usual
 * (a guess learns nothing new), then no session is made, a reset link is mailed and the answer says why.
 */
import { PASSWORD_MIN } from '@burrow/api';
import { forbidden, isAppError } from '../errors/index.js';
import { normalizePassword } from './password-policy.js';

export const SHORT_ONLY_FACTOR =
  `This password is shorter than ${PASSWORD_MIN} characters, which is not enough on its own now that two-step sign-in is off. ` +
  'We have sent a link to your email address to choose a longer one (or use "Forgot your password?").';

/** Whether `password` is long enough to be an account's only factor. */
export const longEnoughAlone = (password: string) => [...normalizePassword(password)].length >= PASSWORD_MIN;

export type ShortPasswordGate = (
  account: { email: string; password: string },
  meta: { ip: string; userAgent: string | null },
) => Promise<void>;

export function createShortPasswordGate({
  requestReset,
}: {
  /** Mails a reset link (recovery.ts requestReset, with its own per-email throttle). */
  requestReset: (email: string, meta: { ip: string; userAgent: string | null }) => Promise<void>;
}): ShortPasswordGate {
  return async ({ email, password }, meta) => {
    if (longEnoughAlone(password)) return;
    try {
      await requestReset(email, meta);
    } catch (err) {
      // The reset mail's own throttle refused: a link went out recently. Still say why.
      if (!isAppError(err, 'rate_limited')) throw err;
    }
    throw forbidden('password_short_only_factor', SHORT_ONLY_FACTOR, { min: PASSWORD_MIN });
  };
}
