import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { follow } from '../router.js';
import { linkToken, securityApi } from '../security-api.js';

/** Opens the link mailed at sign-up (/verify-email#token=…): confirms the address, once. */
export function VerifyEmail() {
  const [state, setState] = useState<
    { kind: 'working' } | { kind: 'done' } | { kind: 'failed'; message: string }
  >({ kind: 'working' });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = linkToken();
    if (!token) {
      setState({
        kind: 'failed',
        message: 'This link has no code in it. Open the link from the mail again, in full.',
      });
      return;
    }
    securityApi.verifyEmail(token).then(
      () => setState({ kind: 'done' }),
      (err: unknown) => setState({ kind: 'failed', message: describeError(err) }),
    );
  }, []);
  return (
    <Page title="Confirm your email">
      {state.kind === 'working' ? (
        <p role="status">Confirming your email…</p>
      ) : state.kind === 'done' ? (
        <div className="card" role="status">
          <p>
            <strong>Your email is confirmed.</strong> Thank you.
          </p>
          <a href="/" onClick={follow}>
            Open Burrow
          </a>
        </div>
      ) : (
        <div className="card warn">
          <p role="alert">{state.message}</p>
          <p>You can ask for a new link under Security once you are signed in.</p>
          <a href="/" onClick={follow}>
            Open Burrow
          </a>
        </div>
      )}
    </Page>
  );
}
