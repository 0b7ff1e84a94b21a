import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { passwordVerdict } from '../password-verdict.js';
import type { Strength } from '../strength.js';

type Checker = (password: string, userInputs: string[], language: string) => Strength;
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
  const { t, i18n } = useTranslation();
  // The checker's advice is in the page's language: checked again when the language changes.
  const language = i18n.language;
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
      const s = check(password, inputsKey.split('\u0000'), language);
      setStrength(s);
      onChange(s);
    });
    return () => {
      current = false;
    };
  }, [password, inputsKey, language, onChange]);

  const verdict = passwordVerdict(password, strength);
  return (
    <div id={id} className="meter-block" data-acceptable={verdict.acceptable}>
      <div
        className={`strength s${password ? verdict.level : 'none'}`}
        role="meter"
        aria-label={t('meter.label')}
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={verdict.level}
        aria-valuetext={
          verdict.acceptable ? verdict.label : t('meter.notAcceptable', { verdict: verdict.label })
        }
      >
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={password && verdict.level > i ? 'filled' : ''} />
        ))}
      </div>
      <p className="hint" aria-live="polite">
        <strong>{verdict.label}.</strong> {verdict.hint}
      </p>
    </div>
  );
}
