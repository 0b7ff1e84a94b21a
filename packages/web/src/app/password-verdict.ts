/**
 * What the password meter says about a new password, decided by the server's own rules
 * (packages/server/src/accounts/password-policy.ts): at least PASSWORD_MIN characters, counted as the
 * server counts them (Unicode code points after NFKC), at most PASSWORD_MAX, no control characters,
 * and a zxcvbn-ts score of PASSWORD_MIN_SCORE or more. Pure, so it is unit-tested without a browser; the meter and the sign-up form both use it, so
 * the meter never calls "acceptable" a password the form or the server would refuse.
 */
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_MIN_SCORE } from '@burrow/api';
import { t } from '../i18n/index.js';

/** The part of a zxcvbn-ts result the verdict reads (strength.ts's `Strength`). */
export interface StrengthResult {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

export interface PasswordVerdict {
  /** The server's rules (length and score) would accept it. */
  acceptable: boolean;
  /** 0-4 for the bar: never above 2 (never green) while the password is not acceptable. */
  level: 0 | 1 | 2 | 3 | 4;
  /** A short verdict, e.g. "Too short (13 of 15 characters)" or "Good". */
  label: string;
  /** What would help, or the checker's warning; may be empty. */
  hint: string;
}

const LABELS = [
  () => t('verdict.veryWeak'),
  () => t('verdict.weak'),
  () => t('verdict.fair'),
  () => t('verdict.good'),
  () => t('verdict.strong'),
] as const;

/** The password's length as the server counts it: code points after NFKC normalisation. */
export function passwordLength(password: string): number {
  return [...password.normalize('NFKC')].length;
}

const sentence = (s: string): string => s.trim().replace(/\.?$/, '.');

/**
 * The meter's verdict on `password`, given its strength (`null` while the checker loads).
 * `minLength` is PASSWORD_MIN unless a second factor lowers it.
 */
export function passwordVerdict(
  password: string,
  strength: StrengthResult | null,
  minLength: number = PASSWORD_MIN,
): PasswordVerdict {
  const lengthHint = t('verdict.lengthHint', { min: minLength });
  if (!password) return { acceptable: false, level: 0, label: t('verdict.empty'), hint: lengthHint };
  const length = passwordLength(password);
  const capped = (score: number) => Math.min(score, 2) as 0 | 1 | 2;
  if (length < minLength)
    return {
      acceptable: false,
      level: capped(Math.min(strength?.score ?? 0, 1)),
      label: t('verdict.tooShort', { length, min: minLength }),
      hint: lengthHint,
    };
  if (length > PASSWORD_MAX)
    return { acceptable: false, level: 0, label: t('verdict.tooLong', { length, max: PASSWORD_MAX }), hint: '' };
  // The server's own test (password-policy.ts): control, surrogate and unassigned code points.
  if (/[\p{Cc}\p{Cs}\p{Cn}]/u.test(password.normalize('NFKC')))
    return { acceptable: false, level: 0, label: t('verdict.control'), hint: t('verdict.controlHint') };
  if (!strength) return { acceptable: false, level: 0, label: t('verdict.checking'), hint: '' };
  const advice = [strength.warning, strength.suggestions[0]].filter((s): s is string => !!s).map(sentence);
  if (strength.score < PASSWORD_MIN_SCORE)
    return {
      acceptable: false,
      level: capped(strength.score),
      label: t('verdict.tooEasy', { label: LABELS[strength.score]() }),
      hint: [...advice, t('verdict.addWord')].join(' '),
    };
  return { acceptable: true, level: strength.score, label: LABELS[strength.score](), hint: advice.join(' ') };
}
