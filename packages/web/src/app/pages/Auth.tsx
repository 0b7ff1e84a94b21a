import { useCallback, useId, useState, type FormEvent } from 'react';
import { describeError } from '../../shared/errors.js';
import { MIN_LENGTH, MIN_SCORE, PasswordMeter } from '../components/PasswordMeter.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
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
    if (password.length < MIN_LENGTH)
      return setError(`Your password needs at least ${MIN_LENGTH} characters.`);
    if (!strength || strength.score < MIN_SCORE)
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
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>Password</label>
        <div className="password-row">
          <input
            id={ids.password}
            type={show ? 'text' : 'password'}
            autoComplete="new-password"
            required
            minLength={MIN_LENGTH}
            aria-describedby={ids.meter}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
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
          userInputs={[email, 'burrow', 'toy']}
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

export function LogIn() {
  const [, guardian] = useGuardian();
  const ids = { email: useId(), password: useId(), error: useId() };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email || !password) return setError('Enter your email and your password.');
    setBusy(true);
    setError(null);
    try {
      await guardian.logIn(email.trim(), password);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <Page title="Sign in to Burrow">
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.email}>Email</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="username"
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
      </form>
      <p className="switch">
        New to Burrow?{' '}
        <a href="/signup" onClick={follow}>
          Create an account
        </a>
      </p>
    </Page>
  );
}
