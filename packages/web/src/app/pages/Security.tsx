import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/Confirm.js';
import type {
  FamilyRequirementResponse,
  PasskeyView,
  SecurityEvent,
  SecurityStatus,
  SessionView,
  TotpEnrolmentResponse,
} from '@burrow/api';
import { describeError } from '../../shared/errors.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { describeEvent, passkeysSupported, securityApi } from '../security-api.js';
import { DeleteAccountCard, ExportAccountCard } from './Deleting.js';
import { RecoveryCodeList } from './RecoveryCodes.js';
import { formatDateTime } from '../date-time.js';

const when = formatDateTime;

/** A QR code of the otpauth:// URI, drawn by the `qrcode` package (loaded only when needed). */
function TotpQr({ uri }: { uri: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('qrcode').then(async (qr) => {
      const url = await qr.toDataURL(uri, { margin: 2, width: 220, errorCorrectionLevel: 'M' });
      if (live) setSrc(url);
    });
    return () => {
      live = false;
    };
  }, [uri]);
  return src ? (
    <img
      className="qr"
      src={src}
      width={220}
      height={220}
      alt="QR code to scan with your authenticator app"
    />
  ) : (
    <p role="status">Drawing the QR code…</p>
  );
}

function Passkeys({ onChange }: { onChange: () => void }) {
  const ids = { name: useId(), error: useId() };
  const [list, setList] = useState<PasskeyView[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    () =>
      void securityApi.passkeys().then(
        (r) => setList(r.passkeys),
        (e: unknown) => setError(describeError(e)),
      ),
    [],
  );
  useEffect(load, [load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const view = await securityApi.addPasskey(name.trim() || 'Passkey');
      setStatus(`Passkey “${view.name}” added. You can now sign in with it, without your password.`);
      setName('');
      load();
      onChange();
    } catch (err) {
      setError(
        err instanceof Error && err.name === 'NotAllowedError'
          ? 'The passkey was not made (cancelled or timed out).'
          : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  };
  const remove = async (p: PasskeyView) => {
    try {
      await securityApi.removePasskey(p.passkeyId);
      setStatus(`Passkey “${p.name}” removed.`);
      load();
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const rename = async (p: PasskeyView) => {
    const next = window.prompt('New name for this passkey', p.name);
    if (!next?.trim()) return;
    try {
      await securityApi.renamePasskey(p.passkeyId, next.trim());
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby="passkeys">
      <h2 id="passkeys">Passkeys</h2>
      <p className="hint">
        A passkey signs you in with your phone’s or computer’s screen lock — no password to type or steal.
      </p>
      {list === null ? (
        <p role="status">Loading…</p>
      ) : list.length === 0 ? (
        <p>No passkeys yet.</p>
      ) : (
        <ul className="list security-list" aria-label="Your passkeys">
          {list.map((p) => (
            <li key={p.passkeyId}>
              <div>
                <strong>{p.name}</strong>
                <p className="hint">
                  Added {when(p.createdAt)}
                  {p.lastUsedAt ? ` · last used ${when(p.lastUsedAt)}` : ' · not used yet'}
                </p>
              </div>
              <div className="row-actions">
                <button
                  type="button"
                  className="ghost small"
                  onClick={() => void rename(p)}
                  aria-label={`Rename ${p.name}`}
                >
                  Rename
                </button>
                <ConfirmButton
                  danger
                  label={`Remove ${p.name}`}
                  text="Remove"
                  className="ghost small danger"
                  question={`Remove the passkey “${p.name}”? You will not be able to sign in with it again.`}
                  yes="Yes, remove it"
                  onConfirm={() => remove(p)}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
      {passkeysSupported() ? (
        <form className="form" onSubmit={(e) => void add(e)}>
          <label htmlFor={ids.name}>Name for a new passkey (optional)</label>
          <input
            id={ids.name}
            value={name}
            maxLength={60}
            placeholder="My phone"
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Waiting for your device…' : 'Add a passkey'}
          </button>
        </form>
      ) : (
        <p>This browser cannot make passkeys.</p>
      )}
      <div role="status" className="ok">
        {status}
      </div>
      <div role="alert" className="form-error" id={ids.error}>
        {error}
      </div>
    </section>
  );
}

function TwoStep({ status, onChange }: { status: SecurityStatus; onChange: () => void }) {
  const ids = { code: useId(), password: useId(), secret: useId() };
  const [enrolment, setEnrolment] = useState<TotpEnrolmentResponse | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const begin = async () => {
    setError(null);
    try {
      setEnrolment(await securityApi.beginTotp());
    } catch (err) {
      setError(describeError(err));
    }
  };
  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const r = await securityApi.confirmTotp(code.trim());
      setEnrolment(null);
      setCode('');
      setDone('Two-step sign-in is on. Next time you sign in, Burrow will ask for a code from your app.');
      if (r.recoveryCodes.length > 0) setCodes(r.recoveryCodes);
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const disable = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await securityApi.disableTotp(password);
      setPassword('');
      setDone('Two-step sign-in is off.');
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby="two-step">
      <h2 id="two-step">Two-step sign-in</h2>
      <p className="hint">
        After your password, Burrow asks for a 6-digit code from an authenticator app on your phone.
      </p>
      {status.totp ? (
        <form className="form" onSubmit={(e) => void disable(e)}>
          <p>
            <strong>On.</strong> Codes come from your authenticator app.
          </p>
          <label htmlFor={ids.password}>Your password, to turn it off</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="ghost">
            Turn off two-step sign-in
          </button>
        </form>
      ) : enrolment ? (
        <form className="form" onSubmit={(e) => void confirm(e)}>
          <ol className="steps">
            <li>
              Open an authenticator app (such as Google Authenticator, Microsoft Authenticator or 1Password).
            </li>
            <li>Scan this QR code, or type the key below.</li>
            <li>Type the 6-digit code the app shows.</li>
          </ol>
          <TotpQr uri={enrolment.uri} />
          <p id={ids.secret}>
            Key:{' '}
            <span className="mono totp-secret" data-secret={enrolment.secret}>
              {enrolment.secret.match(/.{1,4}/g)?.join(' ')}
            </span>
          </p>
          <label htmlFor={ids.code}>6-digit code from the app</label>
          <input
            id={ids.code}
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <button type="submit" className="primary">
            Turn on two-step sign-in
          </button>
        </form>
      ) : (
        <button type="button" className="primary" onClick={() => void begin()}>
          Set up an authenticator app
        </button>
      )}
      <div role="status" className="ok">
        {done}
      </div>
      <div role="alert" className="form-error">
        {error}
      </div>
      {codes ? <RecoveryCodeList codes={codes} /> : null}
    </section>
  );
}

function RecoveryCodesCard({ status, onChange }: { status: SecurityStatus; onChange: () => void }) {
  const ids = { password: useId() };
  const [password, setPassword] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const renew = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setCodes((await securityApi.renewCodes(password)).recoveryCodes);
      setPassword('');
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section className="card" aria-labelledby="recovery-codes">
      <h2 id="recovery-codes">Recovery codes</h2>
      <p className="hint">
        Each code works once: to reset your password without email, or instead of your two-step code if you
        lose your phone.
      </p>
      <p>
        <strong>{status.recoveryCodes}</strong> unused code{status.recoveryCodes === 1 ? '' : 's'} left.
      </p>
      {codes ? <RecoveryCodeList codes={codes} /> : null}
      <form className="form" onSubmit={(e) => void renew(e)}>
        <label htmlFor={ids.password}>Your password, to make new codes</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="ghost">
          Make new codes (the old ones stop working)
        </button>
      </form>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}

function FamilyRequirement({ familyId, status }: { familyId: string; status: SecurityStatus }) {
  const [state, setState] = useState<FamilyRequirementResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(
    () =>
      void securityApi.familyRequirement(familyId).then(setState, (e: unknown) => setError(describeError(e))),
    [familyId],
  );
  const toggle = async () => {
    if (!state) return;
    setError(null);
    try {
      setState(await securityApi.setFamilyRequirement(familyId, !state.required));
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section className="card" aria-labelledby="family-two-step">
      <h2 id="family-two-step">Two-step sign-in for the whole family</h2>
      <p className="hint">
        When on, everyone in your family must add an authenticator app or a passkey before they can send or
        hear messages.
      </p>
      {state ? (
        <>
          <p>
            {state.required ? <strong>Required.</strong> : <strong>Not required.</strong>}{' '}
            {state.membersWithout === 0
              ? 'Everyone has a second factor.'
              : `${state.membersWithout} ${state.membersWithout === 1 ? 'person has' : 'people have'} none yet.`}
          </p>
          <button
            type="button"
            className={state.required ? 'ghost' : 'primary'}
            onClick={() => void toggle()}
            disabled={!state.required && !status.totp && status.passkeys === 0}
          >
            {state.required ? 'Stop requiring it' : 'Require it for everyone'}
          </button>
          {!state.required && !status.totp && status.passkeys === 0 ? (
            <p className="hint">Add a second factor to your own account first.</p>
          ) : null}
        </>
      ) : null}
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}

function Sessions() {
  const [list, setList] = useState<SessionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = useCallback(
    () =>
      void securityApi.sessions().then(
        (r) => setList(r.sessions),
        (e: unknown) => setError(describeError(e)),
      ),
    [],
  );
  useEffect(load, [load]);
  const revoke = async (s: SessionView) => {
    try {
      await securityApi.revokeSession(s.sessionId);
      setStatus(`Signed out ${s.browser}.`);
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const revokeOthers = async () => {
    try {
      const { ended } = await securityApi.revokeOthers();
      setStatus(
        ended === 0
          ? 'There were no other sessions.'
          : `Signed out ${ended} other session${ended === 1 ? '' : 's'}.`,
      );
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const others = list?.filter((s) => !s.current) ?? [];
  return (
    <section className="card" aria-labelledby="sessions">
      <h2 id="sessions">Where you are signed in</h2>
      {list === null ? (
        <p role="status">Loading…</p>
      ) : (
        <ul className="list security-list" aria-label="Sessions">
          {list.map((s) => (
            <li key={s.sessionId}>
              <div>
                <strong>
                  {s.browser}
                  {s.system ? ` on ${s.system}` : ''}
                </strong>{' '}
                {s.current ? <span className="badge">This browser</span> : null}
                <p className="hint">
                  {s.ip ?? 'Unknown address'} · last used {when(s.lastUsedAt)}
                </p>
              </div>
              {s.current ? null : (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() => void revoke(s)}
                  aria-label={`Sign out ${s.browser}${s.system ? ` on ${s.system}` : ''}`}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 ? (
        <button type="button" className="ghost" onClick={() => void revokeOthers()}>
          Sign out everywhere else
        </button>
      ) : list ? (
        <p className="hint">You are signed in only here.</p>
      ) : null}
      <div role="status" className="ok">
        {status}
      </div>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}

function Events({ version }: { version: number }) {
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  useEffect(
    () =>
      void securityApi.events().then(
        (r) => setEvents(r.events),
        () => setEvents([]),
      ),
    [version],
  );
  return (
    <section className="card" aria-labelledby="events">
      <h2 id="events">Recent security events</h2>
      {events === null ? (
        <p role="status">Loading…</p>
      ) : events.length === 0 ? (
        <EmptyState icon="key" title="Nothing yet">
          <p>Sign-ins and changes to your account’s security will be listed here.</p>
        </EmptyState>
      ) : (
        <ul className="list security-list" aria-label="Security events">
          {events.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <div>
                <strong>{describeEvent(e.kind)}</strong>
                {e.detail ? ` (${e.detail})` : ''}
                <p className="hint">
                  {when(e.at)}
                  {e.browser ? ` · ${e.browser}` : ''}
                  {e.ip ? ` · ${e.ip}` : ''}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Passkeys, two-step sign-in, recovery codes, the family requirement, sessions and events. */
export function Security() {
  const [state, guardian] = useGuardian();
  const [status, setStatus] = useState<SecurityStatus | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    setVersion((v) => v + 1);
    void securityApi.status().then(setStatus, (e: unknown) => setError(describeError(e)));
    void guardian.refreshSecurity().catch(() => undefined);
  }, [guardian]);
  useEffect(() => {
    void securityApi.status().then(setStatus, (e: unknown) => setError(describeError(e)));
  }, []);

  return (
    <Page title="Security" intro="How you sign in, and where you are signed in.">
      {status?.mustAdd ? (
        <p className="card warn" role="note">
          Your family asks everyone to use two-step sign-in. Add a passkey or an authenticator app below to
          send and hear messages again.
        </p>
      ) : null}
      <div role="alert" className="form-error">
        {error}
      </div>
      <Passkeys onChange={refresh} />
      {status ? <TwoStep status={status} onChange={refresh} /> : null}
      {status ? <RecoveryCodesCard status={status} onChange={refresh} /> : null}
      {status && state.familyId && state.role === 'guardian' ? (
        <FamilyRequirement familyId={state.familyId} status={status} />
      ) : null}
      <Sessions />
      <Events version={version} />
      <ExportAccountCard />
      {status ? <DeleteAccountCard status={status} /> : null}
    </Page>
  );
}
