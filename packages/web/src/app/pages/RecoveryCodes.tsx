import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { FormError } from '../components/FormStatus.js';

const normalize = (code: string) =>
  code.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');

/** The codes as a list a person can read, copy or write down. */
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState(false);
  const { t } = useTranslation();

  return (
    <div className="recovery-codes">
      {/* Each number is an element of its own beside its code, not a list marker: a marker cannot be
          measured, and markers hung over the neighbouring code at 390 px. Screen readers hear the
          position from the list itself ("3 of 10"), so the shown number is hidden from them. */}
      <ol className="mono codes" aria-label={t('recoveryCodes.list')}>
        {codes.map((c, i) => (
          <li key={c}>
            <span className="code-number" aria-hidden="true">
              {i + 1}.
            </span>
            <span className="recovery-code">{c}</span>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="ghost small"
        onClick={() =>
          void navigator.clipboard?.writeText(codes.join('\n')).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {t('recoveryCodes.copy')}
      </button>
      <span role="status" className="ok">
        {copied ? t('recoveryCodes.copied') : ''}
      </span>
    </div>
  );
}

/**
 * Sign-up's last step: the recovery codes, shown this once, confirmed by typing one back so nobody
 * clicks past them. One code resets the password without email or stands in for a second factor.
 */
export function RecoveryCodesStep() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { code: useId(), error: useId() };
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const codes = state.recoveryCodes ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!codes.some((c) => normalize(c) === normalize(typed))) return setError(t('recoveryCodes.notOne'));
    guardian.session.recoveryCodesSaved();
  };
  return (
    <Page title={t('recoveryCodes.title')} intro={t('recoveryCodes.intro')}>
      <section className="card">
        <RecoveryCodeList codes={codes} />
        <p className="hint">{t('recoveryCodes.keep')}</p>
      </section>
      <form className="card form" onSubmit={submit} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.code}>{t('recoveryCodes.confirmLabel')}</label>
        <input
          id={ids.code}
          className="code-input mono"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" className="primary">
          {t('recoveryCodes.saved')}
        </button>
      </form>
    </Page>
  );
}
