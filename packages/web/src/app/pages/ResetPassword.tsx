import { useCallback, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { PASSWORD_MIN, passwordContextWords } from '@burrow/api';
import { describeError } from '../../shared/errors.js';
import { PasswordMeter } from '../components/PasswordMeter.js';
import { Page } from '../components/Page.js';
import { follow } from '../router.js';
import { linkToken, securityApi } from '../security-api.js';
import type { Strength } from '../strength.js';
import { FormError } from '../components/FormStatus.js';

function NewPassword({
  id,
  value,
  onChange,
  email,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  email: string;
}) {
  const { t } = useTranslation();
  const meter = useId();
  const [, setStrength] = useState<Strength | null>(null);
  const onStrength = useCallback((s: Strength | null) => setStrength(s), []);
  return (
    <>
      <label htmlFor={id}>{t('reset.newPassword')}</label>
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        aria-describedby={meter}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <PasswordMeter
        id={meter}
        password={value}
        userInputs={passwordContextWords(email.trim().toLowerCase())}
        onChange={onStrength}
      />
    </>
  );
}

/**
 * /reset-password: with the mailed link's token, choose a new password; without one, ask for a link
 * by email or reset with a recovery code.
 */
export function ResetPassword() {
  const token = linkToken();
  const { t } = useTranslation();
  const ids = { email: useId(), code: useId(), password: useId(), error: useId() };
  const [mode, setMode] = useState<'email' | 'code'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: FormEvent, action: () => Promise<unknown>, success: string) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
      setDone(success);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <Page title={t('reset.title')}>
        <div className="card" role="status">
          <p>{done}</p>
          <a href="/login" onClick={follow}>
            {t('auth.signIn')}
          </a>
        </div>
      </Page>
    );

  const errorBox = <FormError id={ids.error} message={error} />;

  if (token)
    return (
      <Page title={t('reset.chooseTitle')} intro={t('reset.chooseIntro', { min: PASSWORD_MIN })}>
        <form
          className="card form"
          noValidate
          aria-describedby={ids.error}
          onSubmit={(e) => void run(e, () => securityApi.resetPassword(token, password), t('reset.changed'))}
        >
          {errorBox}
          <NewPassword id={ids.password} value={password} onChange={setPassword} email="" />
          <button type="submit" className="primary" disabled={busy}>
            {t('reset.save')}
          </button>
        </form>
      </Page>
    );

  return (
    <Page title={t('reset.title')}>
      <div className="segmented" role="group" aria-label={t('reset.how')}>
        <button type="button" aria-pressed={mode === 'email'} onClick={() => setMode('email')}>
          {t('reset.byEmail')}
        </button>
        <button type="button" aria-pressed={mode === 'code'} onClick={() => setMode('code')}>
          {t('reset.withCode')}
        </button>
      </div>
      {mode === 'email' ? (
        <form
          className="card form"
          noValidate
          aria-describedby={ids.error}
          onSubmit={(e) => void run(e, () => securityApi.requestReset(email.trim()), t('reset.linkSent'))}
        >
          {errorBox}
          <label htmlFor={ids.email}>{t('auth.email')}</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {t('reset.sendLink')}
          </button>
        </form>
      ) : (
        <form
          className="card form"
          noValidate
          aria-describedby={ids.error}
          onSubmit={(e) =>
            void run(
              e,
              () => securityApi.resetWithCode(email.trim(), code.trim(), password),
              t('reset.changedWithCode'),
            )
          }
        >
          {errorBox}
          <label htmlFor={ids.email}>{t('auth.email')}</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor={ids.code}>{t('recover.codeLabel')}</label>
          <input
            id={ids.code}
            className="mono"
            autoComplete="off"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <NewPassword id={ids.password} value={password} onChange={setPassword} email={email} />
          <button type="submit" className="primary" disabled={busy}>
            {t('reset.reset')}
          </button>
        </form>
      )}
      <p className="switch">
        <a href="/login" onClick={follow}>
          {t('reset.back')}
        </a>
      </p>
    </Page>
  );
}
