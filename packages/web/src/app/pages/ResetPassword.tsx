import { useCallback, useId, useState, type FormEvent } from 'react';
import { PASSWORD_MIN } from '@burrow/api';
import { describeError } from '../../shared/errors.js';
import { PasswordMeter } from '../components/PasswordMeter.js';
import { Page } from '../components/Page.js';
import { follow } from '../router.js';
import { linkToken, securityApi } from '../security-api.js';
import type { Strength } from '../strength.js';

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
  const meter = useId();
  const [, setStrength] = useState<Strength | null>(null);
  const onStrength = useCallback((s: Strength | null) => setStrength(s), []);
  return (
    <>
      <label htmlFor={id}>New password</label>
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
        userInputs={[email, 'burrow', 'toy']}
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
      <Page title="Reset your password">
        <div className="card" role="status">
          <p>{done}</p>
          <a href="/login" onClick={follow}>
            Sign in
          </a>
        </div>
      </Page>
    );

  const errorBox = (
    <div id={ids.error} className="form-error" role="alert">
      {error}
    </div>
  );

  if (token)
    return (
      <Page
        title="Choose a new password"
        intro={`At least ${PASSWORD_MIN} characters (8 if you use two-step sign-in or a passkey). A short sentence works well.`}
      >
        <form
          className="card form"
          noValidate
          aria-describedby={ids.error}
          onSubmit={(e) =>
            void run(
              e,
              () => securityApi.resetPassword(token, password),
              'Your password is changed, and every session was signed out. Sign in with the new password.',
            )
          }
        >
          {errorBox}
          <NewPassword id={ids.password} value={password} onChange={setPassword} email="" />
          <button type="submit" className="primary" disabled={busy}>
            Save the new password
          </button>
        </form>
      </Page>
    );

  return (
    <Page title="Reset your password">
      <div className="segmented" role="group" aria-label="How to reset">
        <button type="button" aria-pressed={mode === 'email'} onClick={() => setMode('email')}>
          By email
        </button>
        <button type="button" aria-pressed={mode === 'code'} onClick={() => setMode('code')}>
          With a recovery code
        </button>
      </div>
      {mode === 'email' ? (
        <form
          className="card form"
          noValidate
          aria-describedby={ids.error}
          onSubmit={(e) =>
            void run(
              e,
              () => securityApi.requestReset(email.trim()),
              'If that address has a Burrow account, a link to reset the password is on its way. It works once, for an hour.',
            )
          }
        >
          {errorBox}
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            Send me a link
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
              'Your password is changed, and every session was signed out. That recovery code is now used up.',
            )
          }
        >
          {errorBox}
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <label htmlFor={ids.code}>Recovery code</label>
          <input
            id={ids.code}
            className="mono"
            autoComplete="off"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <NewPassword id={ids.password} value={password} onChange={setPassword} email={email} />
          <button type="submit" className="primary" disabled={busy}>
            Reset my password
          </button>
        </form>
      )}
      <p className="switch">
        <a href="/login" onClick={follow}>
          Back to sign in
        </a>
      </p>
    </Page>
  );
}
