import { useCallback, useId, useState, type FormEvent } from 'react';
import { PASSWORD_MIN, passwordContextWords } from '@burrow/api';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { PasswordMeter } from '../components/PasswordMeter.js';
import { passwordLength, passwordVerdict } from '../password-verdict.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import type { PendingSignIn } from '../guardian.js';
import { passkeysSupported, securityApi } from '../security-api.js';
import { follow } from '../router.js';
import type { Strength } from '../strength.js';
import { FormError } from '../components/FormStatus.js';

export function SignUp() {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { email: useId(), password: useId(), meter: useId(), error: useId(), show: useId() };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [strength, setStrength] = useState<Strength | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onStrength = useCallback((s: Strength | null) => setStrength(s), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.includes('@')) return setError(t('auth.emailNeeded'));
    // The meter's own verdict (the server's rules), so the form never disagrees with what it shows.
    if (passwordLength(password) < PASSWORD_MIN)
      return setError(t('auth.passwordTooShort', { min: PASSWORD_MIN }));
    if (!passwordVerdict(password, strength).acceptable) return setError(t('auth.passwordTooEasy'));
    setBusy(true);
    setError(null);
    try {
      await guardian.session.signUp(email.trim(), password);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Page title={t('auth.signUpTitle')} intro={t('auth.signUpIntro')}>
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.email}>{t('auth.email')}</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            setError(null); // an error about what was typed before no longer applies
          }}
        />
        <label htmlFor={ids.password}>{t('auth.password')}</label>
        <div className="password-row">
          <input
            id={ids.password}
            type={show ? 'text' : 'password'}
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            aria-describedby={ids.meter}
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
          />
          <button
            type="button"
            className="ghost small"
            aria-pressed={show}
            onClick={() => setShow((s) => !s)}
          >
            {show ? t('auth.hide') : t('auth.show')}
          </button>
        </div>
        <PasswordMeter
          id={ids.meter}
          password={password}
          userInputs={passwordContextWords(email.trim().toLowerCase())}
          onChange={onStrength}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('auth.creating') : t('auth.createAccount')}
        </button>
      </form>
      <p className="switch">
        {t('auth.haveAccount')}{' '}
        <a href="/login" onClick={follow}>
          {t('auth.signIn')}
        </a>
      </p>
    </Page>
  );
}

/** The second step after a correct password: a code from the app, a recovery code, or a passkey. */
function SecondStep({ pending, onBack }: { pending: PendingSignIn; onBack: () => void }) {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { code: useId(), error: useId() };
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const finish = async (step: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
      await guardian.session.signedIn();
    } catch (err) {
      setError(
        err instanceof Error && err.name === 'NotAllowedError'
          ? t('auth.passkeyNotUsed')
          : describeError(err),
      );
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setError(t('auth.codeNeeded'));
    void finish(() => securityApi.secondFactorCode(pending.pendingToken, code.trim()));
  };
  return (
    <Page title={t('auth.twoStepTitle')} intro={t('auth.twoStepIntro')}>
      <form className="card form" onSubmit={submit} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.code}>{t('auth.codeLabel')}</label>
        <input
          id={ids.code}
          className="code-input"
          autoComplete="one-time-code"
          autoCapitalize="off"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('auth.checking') : t('auth.continue')}
        </button>
        {pending.methods.includes('passkey') && passkeysSupported() ? (
          <button
            type="button"
            className="ghost"
            disabled={busy}
            onClick={() => void finish(() => securityApi.secondFactorPasskey(pending.pendingToken))}
          >
            {t('auth.passkeyInstead')}
          </button>
        ) : null}
      </form>
      <p className="switch">
        <button type="button" className="linklike" onClick={onBack}>
          {t('auth.startAgain')}
        </button>
      </p>
    </Page>
  );
}

export function LogIn() {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { email: useId(), password: useId(), error: useId() };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<PendingSignIn | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email || !password) return setError(t('auth.emailAndPassword'));
    setBusy(true);
    setError(null);
    try {
      const next = await guardian.session.logIn(email.trim(), password);
      if (next) {
        setPending(next);
        setPassword('');
        setBusy(false);
      }
    } catch (err) {
      // A wrong email or password (reason credentials_wrong), like every refusal, in the app's language.
      setError(describeError(err));
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setBusy(true);
    setError(null);
    try {
      await securityApi.signInWithPasskey();
      await guardian.session.signedIn();
    } catch (err) {
      setError(
        err instanceof Error && err.name === 'NotAllowedError' ? t('auth.noPasskey') : describeError(err),
      );
      setBusy(false);
    }
  };

  if (pending) return <SecondStep pending={pending} onBack={() => setPending(null)} />;

  return (
    <Page title={t('auth.signInTitle')}>
      {new URLSearchParams(window.location.search).has('deleted') ? (
        <p className="card" role="status">
          {t('auth.deleted')}
        </p>
      ) : null}
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.email}>{t('auth.email')}</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="username webauthn"
          inputMode="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>{t('auth.password')}</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
        {passkeysSupported() ? (
          <button type="button" className="ghost" disabled={busy} onClick={() => void withPasskey()}>
            {t('auth.withPasskey')}
          </button>
        ) : null}
      </form>
      <p className="switch">
        <a href="/reset-password" onClick={follow}>
          {t('auth.forgot')}
        </a>
      </p>
      <p className="switch">
        {t('auth.newHere')}{' '}
        <a href="/signup" onClick={follow}>
          {t('auth.createAnAccount')}
        </a>
      </p>
    </Page>
  );
}
