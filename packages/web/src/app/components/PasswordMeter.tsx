import { useEffect, useState } from 'react';
import { PASSWORD_MIN } from '@burrow/api';
import type { Strength } from '../strength.js';

const labels = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

/** The score a new password needs here: zxcvbn 2 ("somewhat guessable") or better (the server asks 3 and says why). */
export const MIN_SCORE = 2;
/** The server's minimum for a password that is the only factor (@burrow/api; it was 8 here, the server refused under 15). */
export const MIN_LENGTH = PASSWORD_MIN;

type Checker = (password: string, userInputs: string[]) => Strength;
let loading: Promise<Checker> | undefined;
function loadChecker(): Promise<Checker> {
  loading ??= import('../strength.js').then((m) => m.checkStrength);
  return loading;
}

/** Live strength of a new password; reports the result upward so the form can refuse a weak one. */
export function PasswordMeter({
  id,
  password,
  userInputs,
  onChange,
}: {
  id: string;
  password: string;
  userInputs: string[];
  onChange: (s: Strength | null) => void;
}) {
  const [strength, setStrength] = useState<Strength | null>(null);
  const inputsKey = userInputs.join('\u0000');
  useEffect(() => {
    let current = true;
    if (!password) {
      setStrength(null);
      onChange(null);
      return;
    }
    void loadChecker().then((check) => {
      if (!current) return;
      const s = check(password, inputsKey.split('\u0000'));
      setStrength(s);
      onChange(s);
    });
    return () => {
      current = false;
    };
  }, [password, inputsKey, onChange]);

  const score = strength?.score ?? 0;
  const tooShort = password.length > 0 && password.length < MIN_LENGTH;
  const label = !password
    ? 'Not entered yet'
    : tooShort
      ? `Too short (${password.length} of ${MIN_LENGTH} characters)`
      : strength
        ? labels[score]
        : 'Checking…';
  return (
    <div id={id} className="meter-block">
      <div
        className={`strength s${password ? score : 'none'}`}
        role="meter"
        aria-label="Password strength"
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={password ? score : 0}
        aria-valuetext={label}
      >
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={password && score > i ? 'filled' : ''} />
        ))}
      </div>
      <p className="hint" aria-live="polite">
        <strong>{label}.</strong> {strength?.warning ? `${strength.warning} ` : ''}
        {strength?.suggestions[0] ??
          (password ? '' : `Use at least ${MIN_LENGTH} characters; a few unrelated words work well.`)}
      </p>
    </div>
  );
}
