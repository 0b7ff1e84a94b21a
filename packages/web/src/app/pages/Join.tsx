import { useEffect, useId, useState, type FormEvent } from 'react';
import { isApiError } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { LogIn, SignUp } from './Auth.js';

const CODE_KEY = 'burrow:join-code';
const WAITING_KEY = 'burrow:join-waiting';

/** A join in progress survives signing up, a reload or a detour through /login (session storage). */
export function joinInProgress(): boolean {
  try {
    return sessionStorage.getItem(CODE_KEY) !== null || sessionStorage.getItem(WAITING_KEY) !== null;
  } catch {
    return false;
  }
}

function remember(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Private modes without storage: the join still works in this tab.
  }
}

function recall(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The code from the link's fragment (`/join#CODE`), kept out of server logs by being a fragment. */
function codeFromUrl(): string {
  const hash = decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
  if (hash) {
    remember(CODE_KEY, hash);
    // Drop the code from the address bar so it is not left in history or shared screenshots.
    window.history.replaceState(null, '', '/join');
  }
  return hash || recall(CODE_KEY) || '';
}

export function joinErrorMessage(err: unknown): string {
  if (isApiError(err)) {
    if (err.status === 410)
      return 'This invitation was already used or has expired. Ask the guardian for a new one.';
    if (err.status === 403) return 'You cannot join this family. A guardian has blocked this account.';
    if (err.status === 409)
      return 'You are already in this family, or already waiting for a guardian to approve you.';
    if (err.status === 404) return 'That invitation code was not found. Check it and try again.';
  }
  return describeError(err);
}

/** A relative joins a family with a guardian's invitation: sign in, ask, then wait for approval. */
export function Join() {
  const [state, guardian] = useGuardian();
  const ids = { code: useId(), error: useId() };
  const [code, setCode] = useState(codeFromUrl);
  const [mode, setMode] = useState<'signup' | 'login'>(state.returning ? 'login' : 'signup');
  const [waiting, setWaiting] = useState(() => recall(WAITING_KEY) !== null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!waiting || state.phase === 'signed-out') return;
    let stopped = false;
    const check = async () => {
      try {
        if (await guardian.checkJoined()) {
          remember(WAITING_KEY, null);
          remember(CODE_KEY, null);
        }
      } catch (err) {
        if (!stopped) setError(describeError(err));
      }
    };
    void check();
    const timer = window.setInterval(() => void check(), 2000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [waiting, state.phase, guardian]);

  if (state.phase === 'signed-out') {
    return (
      <>
        <section className="card join-note" aria-label="Joining a family">
          <p>
            You were invited to a family on Burrow. {mode === 'signup' ? 'Create an account' : 'Sign in'}, then
            ask to join.
          </p>
          <button type="button" className="ghost" onClick={() => setMode(mode === 'signup' ? 'login' : 'signup')}>
            {mode === 'signup' ? 'I already have an account' : 'I need a new account'}
          </button>
        </section>
        {mode === 'signup' ? <SignUp /> : <LogIn />}
      </>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setError('Type the invitation code from the link you were sent.');
    setBusy(true);
    setError(null);
    try {
      await guardian.requestToJoin(code);
      remember(WAITING_KEY, '1');
      setWaiting(true);
    } catch (err) {
      setError(joinErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (waiting) {
    return (
      <Page title="Waiting for a guardian">
        <section className="card">
          <p role="status">
            Your request was sent. A guardian of the family needs to approve you; this page opens Burrow as soon as
            they do.
          </p>
          <p>
            So the guardian knows this request is really yours, read them this browser’s fingerprint (in person or on
            a call); they see the same digits when they approve you:
          </p>
          <p className="mono fingerprint" data-testid="my-fingerprint">
            {guardian.fingerprint()}
          </p>
          <p className="hint">Signed in as {state.email}. You can close this page and come back later.</p>
          <div role="alert" className="form-error" id={ids.error}>
            {error}
          </div>
        </section>
      </Page>
    );
  }

  return (
    <Page title="Join a family" intro={`Signed in as ${state.email ?? ''}.`}>
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <div role="alert" className="form-error" id={ids.error}>
          {error}
        </div>
        <label htmlFor={ids.code}>Invitation code</label>
        <input
          id={ids.code}
          className="mono"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Asking…' : 'Ask to join'}
        </button>
      </form>
    </Page>
  );
}
