import { useCallback, useId, useState, type FormEvent } from 'react';
import { PASSWORD_MIN, passwordContextWords } from '@burrow/api';
import { describeError } from '../../shared/errors.js';
import { PasswordMeter } from '../components/PasswordMeter.js';
import { passwordLength, passwordVerdict } from '../password-verdict.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import type { PendingSignIn } from '../guardian.js';
import { passkeysSupported, securityApi } from '../security-api.js';
import { follow } from '../router.js';
import type { Strength } from '../strength.js';

function FormError({ id, message }: { id: string; message: string | null }) {
  return (
    <div id={id} className="form-error" role="alert">
      {message}
    </div>
  );
}

export function SignUp() {
  const [, guardian] = useGuardian();
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
    if (!email.includes('@')) return setError('Enter your email address, like name@example.com.');
    // The meter's own verdict (the server's rules), so the form never disagrees with what it shows.
    if (passwordLength(password) < PASSWORD_MIN)
      return setError(`Your password needs at least ${PASSWORD_MIN} characters.`);
    if (!passwordVerdict(password, strength).acceptable)
      return setError('That password is too easy to guess. Try a few unrelated words together.');
    setBusy(true);
    setError(null);
    try {
      await guardian.signUp(email.trim(), password);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Page
      title="Create your family’s account"
      intro="Send voice messages to your child’s Burrow toy. Only your family can hear them."
    >
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.email}>Email</label>
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
        <label htmlFor={ids.password}>Password</label>
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
            {show ? 'Hide' : 'Show'}
          </button>
        </div>
        <PasswordMeter
          id={ids.meter}
          password={password}
          userInputs={passwordContextWords(email.trim().toLowerCase())}
          onChange={onStrength}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="switch">
        Already have an account?{' '}
        <a href="/login" onClick={follow}>
          Sign in
        </a>
      </p>
    </Page>
  );
}

/** The second step after a correct password: a code from the app, a recovery code, or a passkey. */
function SecondStep({ pending, onBack }: { pending: PendingSignIn; onBack: () => void }) {
  const [, guardian] = useGuardian();
  const ids = { code: useId(), error: useId() };
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const finish = async (step: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
      await guardian.signedIn();
    } catch (err) {
      setError(err instanceof Error && err.name === 'NotAllowedError' ? 'The passkey was not used (cancelled or timed out).' : describeError(err));
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setError('Type the 6-digit code from your app, or a recovery code.');
    void finish(() => securityApi.secondFactorCode(pending.pendingToken, code.trim()));
  };
  return (
    <Page title="Two-step sign-in" intro="Your password was right. One more step keeps your family’s messages safe.">
      <form className="card form" onSubmit={submit} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.code}>Code from your authenticator app (or a recovery code)</label>
        <input
          id={ids.code}
          className="code-input"
          autoComplete="one-time-code"
          autoCapitalize="off"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
        {pending.methods.includes('passkey') && passkeysSupported() ? (
          <button type="button" className="ghost" disabled={busy} onClick={() => void finish(() => securityApi.secondFactorPasskey(pending.pendingToken))}>
            Use a passkey instead
          </button>
        ) : null}
      </form>
      <p className="switch">
        <button type="button" className="linklike" onClick={onBack}>
          Start again
        </button>
      </p>
    </Page>
  );
}

export function LogIn() {
  const [, guardian] = useGuardian();
  const ids = { email: useId(), password: useId(), error: useId() };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<PendingSignIn | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email || !password) return setError('Enter your email and your password.');
    setBusy(true);
    setError(null);
    try {
      const next = await guardian.logIn(email.trim(), password);
      if (next) {
        setPending(next);
        setPassword('');
        setBusy(false);
      }
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setBusy(true);
    setError(null);
    try {
      await securityApi.signInWithPasskey();
      await guardian.signedIn();
    } catch (err) {
      setError(err instanceof Error && err.name === 'NotAllowedError' ? 'No passkey was used (cancelled or timed out).' : describeError(err));
      setBusy(false);
    }
  };

  if (pending) return <SecondStep pending={pending} onBack={() => setPending(null)} />;

  return (
    <Page title="Sign in to Burrow">
      {new URLSearchParams(window.location.search).has('deleted') ? (
        <p className="card" role="status">
          Your account was deleted, and this browser forgot its keys and messages. We mailed you a confirmation.
        </p>
      ) : null}
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.email}>Email</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="username webauthn"
          inputMode="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>Password</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {passkeysSupported() ? (
          <button type="button" className="ghost" disabled={busy} onClick={() => void withPasskey()}>
            Sign in with a passkey
          </button>
        ) : null}
      </form>
      <p className="switch">
        <a href="/reset-password" onClick={follow}>
          Forgot your password?
        </a>
      </p>
      <p className="switch">
        New to Burrow?{' '}
        <a href="/signup" onClick={follow}>
          Create an account
        </a>
      </p>
    </Page>
  );
}
