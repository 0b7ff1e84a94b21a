import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { t as tr } from '../../i18n/index.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { LogIn, SignUp } from './Auth.js';
import { invitedBy, parseInviteFragment, type InviteLink } from '../invite-link.js';
import { FormError } from '../components/FormStatus.js';

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

/** The invitation in the address bar, remembered for this tab; a newer link replaces an older one. */
function linkFromUrl(): InviteLink {
  const link = parseInviteFragment(window.location.hash);
  if (link.code) {
    remember(CODE_KEY, JSON.stringify(link));
    // Drop the code from the address bar so it is not left in history or shared screenshots.
    window.history.replaceState(null, '', '/join');
    return link;
  }
  try {
    const kept = JSON.parse(recall(CODE_KEY) ?? 'null') as InviteLink | null;
    if (kept && typeof kept.code === 'string') return kept;
  } catch {
    // An older tab kept the bare code.
  }
  return { code: recall(CODE_KEY) ?? '', from: null, child: null };
}

export function joinErrorMessage(err: unknown): string {
  if (isApiError(err)) {
    if (err.status === 410) return tr('join.usedOrExpired');
    if (err.status === 403) return tr('join.blocked');
    if (err.status === 409) return tr('join.already');
    if (err.status === 404) return tr('join.notFound');
  }
  return describeError(err);
}

/** A relative joins a family with a guardian's invitation: sign in, ask, then wait for approval. */
export function Join() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { code: useId(), name: useId(), nameHint: useId(), error: useId(), invited: useId() };
  const [link, setLink] = useState(linkFromUrl);
  const [code, setCode] = useState(link.code);
  // Whether the link's code can still be used, asked before an account is made: null while unknown.
  const [check, setCheck] = useState<{ code: string; problem: string | null } | null>(null);
  const [name, setName] = useState(state.senderName);
  const [mode, setMode] = useState<'signup' | 'login'>(state.returning ? 'login' : 'signup');
  const [waiting, setWaiting] = useState(() => recall(WAITING_KEY) !== null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A second invitation link opened in the same tab changes only the fragment: no page load, so
  // listen for it, and the newer link wins (a new join, not the wait for the old one).
  useEffect(() => {
    const onHash = () => {
      if (!window.location.hash) return;
      const next = linkFromUrl();
      setLink(next);
      setCode(next.code);
      setError(null);
      remember(WAITING_KEY, null);
      setWaiting(false);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!link.code || waiting) return;
    let stopped = false;
    guardian.members
      .checkInvitation(link.code)
      .then(() => !stopped && setCheck({ code: link.code, problem: null }))
      .catch((err: unknown) => {
        // Only a definite answer (unknown, used, expired) stops the person; a network hiccup does not.
        if (!stopped && isApiError(err) && (err.status === 404 || err.status === 410))
          setCheck({ code: link.code, problem: joinErrorMessage(err) });
      });
    return () => {
      stopped = true;
    };
  }, [link.code, waiting, guardian]);
  const problem = check?.code === link.code ? check.problem : null;

  useEffect(() => {
    if (!waiting || state.phase === 'signed-out') return;
    let stopped = false;
    const check = async () => {
      try {
        if (await guardian.session.checkJoined()) {
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
        <section className="card join-note" aria-labelledby={ids.invited}>
          <p id={ids.invited} className="invited">
            <strong>{invitedBy(link)}</strong>
          </p>
          {problem ? (
            <p role="alert" className="form-error">
              {problem}
            </p>
          ) : (
            <>
              <p>{mode === 'signup' ? t('join.aboutSignUp') : t('join.aboutSignIn')}</p>
              <button
                type="button"
                className="ghost"
                onClick={() => setMode(mode === 'signup' ? 'login' : 'signup')}
              >
                {mode === 'signup' ? t('join.haveAccount') : t('join.needAccount')}
              </button>
            </>
          )}
        </section>
        {problem ? null : mode === 'signup' ? <SignUp /> : <LogIn />}
      </>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setError(t('join.codeNeeded'));
    if (!name.trim()) return setError(t('join.nameNeeded'));
    setBusy(true);
    setError(null);
    try {
      // Kept in this browser and sealed into every message it sends, so the toy says "a message
      // from Grandma"; the server never sees it.
      await guardian.family.saveSenderName(name);
      await guardian.members.requestToJoin(code);
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
      <Page title={t('join.waitingTitle')}>
        <section className="card">
          <p role="status">{t('join.sent')}</p>
          <p>{t('join.readFingerprint')}</p>
          <p className="mono fingerprint" data-testid="my-fingerprint">
            {guardian.devices.fingerprint()}
          </p>
          <p className="hint">{t('join.signedInAs', { email: state.email ?? '' })}</p>
          <FormError id={ids.error} message={error} />
        </section>
      </Page>
    );
  }

  return (
    <Page
      title={t('join.title')}
      intro={`${link.code === code ? invitedBy(link) + ' ' : ''}${t('join.signedIn', { email: state.email ?? '' })}`}
    >
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
        <FormError id={ids.error} message={error} />
        <label htmlFor={ids.code}>{t('join.code')}</label>
        <input
          id={ids.code}
          className="mono"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <label htmlFor={ids.name}>{t('join.name')}</label>
        <input
          id={ids.name}
          autoComplete="nickname"
          maxLength={40}
          aria-describedby={ids.nameHint}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <p className="hint" id={ids.nameHint}>
          {t('join.nameHint')}
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('join.asking') : t('join.ask')}
        </button>
      </form>
    </Page>
  );
}
