/**
 * Password rules of NIST SP 800-63B rev. 4 §3.1.1.2 — and nothing more:
 *
 * - at least 15 characters when the password is the only factor, at least 8 once a second factor is
 *   on; at most 256 (the SHALL is "at least 64", OWASP ASVS 2.1.2 asks for 128);
 * - every printable character and spaces allowed, counted as Unicode code points after NFKC;
 *   control characters are refused (they cannot be typed reliably);
 * - no composition rules (no "one digit, one symbol") and no forced rotation;
 * - refused when on the blocklist of common and breached passwords (blocklist.ts), when zxcvbn-ts
 *   estimates it easy to guess (score below 3 of 4, with the site's words and the person's email as
 *   context), or — if the operator enabled it — when the Pwned Passwords range API has seen it.
 *   zxcvbn-ts runs on a worker thread (password-strength.ts), never on the event loop.
 *
 * Every refusal is a bad_request whose message says why and what would work.
 */
// The lengths and the score are part of the API contract (the schemas' maxLength, the web app's meter): written in @burrow/api.
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_MIN_SCORE, PASSWORD_MIN_WITH_SECOND_FACTOR, passwordContextWords } from '@burrow/api';
import { badRequest } from '../errors/index.js';
import { loadBlocklist } from './blocklist.js';
import { passwordStrength, type StrengthScorer } from './password-strength.js';
import type { PwnedPasswords } from './pwned.js';


const WHAT_WORKS =
  'A short sentence or four or five unrelated words with spaces works well and is easy to remember.';

export interface PasswordContext {
  /** The account's email: its parts count against the password's strength. */
  email?: string;
  /** A second factor or passkey is on: 8 characters are enough. */
  secondFactor?: boolean;
}

export interface PasswordPolicy {
  /** Resolves when the password is acceptable; throws bad_request saying why not and what would. */
  check(password: string, context?: PasswordContext): Promise<void>;
}

/** The password as it is hashed and measured: NFKC (63B rev. 4 recommends normalising). */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function createPasswordPolicy({
  pwned = null,
  strength = passwordStrength,
}: { pwned?: PwnedPasswords | null; strength?: StrengthScorer } = {}): PasswordPolicy {
  return {
    async check(raw, context = {}) {
      const password = normalizePassword(raw);
      const length = [...password].length;
      const min = context.secondFactor ? PASSWORD_MIN_WITH_SECOND_FACTOR : PASSWORD_MIN;
      if (length < min)
        throw badRequest('password_too_short', `The password must have at least ${min} characters (it has ${length}). ${WHAT_WORKS}`, { min, length });
      if (length > PASSWORD_MAX) throw badRequest('password_too_long', `The password must have at most ${PASSWORD_MAX} characters.`, { max: PASSWORD_MAX });
      if (/[\p{Cc}\p{Cs}\p{Cn}]/u.test(password))
        throw badRequest('password_bad_character',
          'The password contains a control or unassigned character (such as a tab or line break); letters, digits, symbols and spaces are all fine.',
        );
      if ((await loadBlocklist()).has(password))
        throw badRequest('password_common',
          `That password is on a list of common and breached passwords that attackers try first. ${WHAT_WORKS}`,
        );
      // The same context as the web app's meter (@burrow/api), so both score a password alike. On a
      // worker thread (password-strength.ts): a check is 150-600 ms of CPU; busy → 503 Retry-After.
      const inputs = passwordContextWords(context.email);
      const result = await strength.score(password, inputs);
      if (result.score < PASSWORD_MIN_SCORE) {
        const why = result.warning ? ` ${result.warning.replace(/\.?$/, '.')}` : '';
        const tips = result.suggestions.map((s) => s.replace(/\.?$/, '.')).join(' ');
        throw badRequest('password_guessable', `That password would be too easy to guess.${why} ${tips ? `${tips} ` : ''}${WHAT_WORKS}`);
      }
      if (pwned) {
        const seen = await pwned.count(password);
        if (seen !== null && seen > 0)
          throw badRequest('password_breached',
            `That password has appeared in a data breach (${seen.toLocaleString('en')} times), so attackers will try it. ${WHAT_WORKS}`,
            { count: seen },
          );
      }
    },
  };
}
