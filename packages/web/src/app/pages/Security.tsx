import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
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
import { FormError, FormStatus } from '../components/FormStatus.js';

const when = formatDateTime;

/** A QR code of the otpauth:// URI, drawn by the `qrcode` package (loaded only when needed). */
function TotpQr({ uri }: { uri: string }) {
  const { t } = useTranslation();
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
    <img className="qr" src={src} width={220} height={220} alt={t('security.qrAlt')} />
  ) : (
    <p role="status">{t('security.drawingQr')}</p>
  );
}

function Passkeys({ onChange }: { onChange: () => void }) {
  const { t } = useTranslation();
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
      const view = await securityApi.addPasskey(name.trim() || t('security.passkeyDefaultName'));
      setStatus(t('security.passkeyAdded', { name: view.name }));
      setName('');
      load();
      onChange();
    } catch (err) {
      setError(
        err instanceof Error && err.name === 'NotAllowedError'
          ? t('security.passkeyNotMade')
          : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  };
  const remove = async (p: PasskeyView) => {
    try {
      await securityApi.removePasskey(p.passkeyId);
      setStatus(t('security.passkeyRemoved', { name: p.name }));
      load();
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const rename = async (p: PasskeyView) => {
    const next = window.prompt(t('security.passkeyNewName'), p.name);
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
      <h2 id="passkeys">{t('security.passkeysTitle')}</h2>
      <p className="hint">{t('security.passkeysIntro')}</p>
      {list === null ? (
        <p role="status">{t('security.loading')}</p>
      ) : list.length === 0 ? (
        <p>{t('security.noPasskeys')}</p>
      ) : (
        <ul className="list security-list" aria-label={t('security.yourPasskeys')}>
          {list.map((p) => (
            <li key={p.passkeyId}>
              <div>
                <strong>{p.name}</strong>
                <p className="hint">
                  {t('security.added', { when: when(p.createdAt) })} ·{' '}
                  {p.lastUsedAt
                    ? t('security.lastUsed', { when: when(p.lastUsedAt) })
                    : t('security.notUsedYet')}
                </p>
              </div>
              <div className="row-actions">
                <button
                  type="button"
                  className="ghost small"
                  onClick={() => void rename(p)}
                  aria-label={t('security.renameLabel', { name: p.name })}
                >
                  {t('security.rename')}
                </button>
                <ConfirmButton
                  danger
                  label={t('security.removeLabel', { name: p.name })}
                  text={t('security.remove')}
                  className="ghost small danger"
                  question={t('security.removeQuestion', { name: p.name })}
                  yes={t('security.removeYes')}
                  onConfirm={() => remove(p)}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
      {passkeysSupported() ? (
        <form className="form" onSubmit={(e) => void add(e)}>
          <label htmlFor={ids.name}>{t('security.newPasskeyName')}</label>
          <input
            id={ids.name}
            value={name}
            maxLength={60}
            placeholder={t('security.newPasskeyPlaceholder')}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('security.waitingForDevice') : t('security.addPasskey')}
          </button>
        </form>
      ) : (
        <p>{t('security.noPasskeySupport')}</p>
      )}
      <FormStatus status={status} error={error} errorId={ids.error} />
    </section>
  );
}

function TwoStep({ status, onChange }: { status: SecurityStatus; onChange: () => void }) {
  const { t } = useTranslation();
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
      setDone(t('security.totpOnDone'));
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
      setDone(t('security.totpOffDone'));
      onChange();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby="two-step">
      <h2 id="two-step">{t('security.totpTitle')}</h2>
      <p className="hint">{t('security.totpIntro')}</p>
      {status.totp ? (
        <form className="form" onSubmit={(e) => void disable(e)}>
          <p>
            <strong>{t('security.on')}</strong> {t('security.totpOnHint')}
          </p>
          <label htmlFor={ids.password}>{t('security.passwordToTurnOff')}</label>
          <input
            id={ids.password}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="ghost">
            {t('security.turnOff')}
          </button>
        </form>
      ) : enrolment ? (
        <form className="form" onSubmit={(e) => void confirm(e)}>
          <ol className="steps">
            <li>{t('security.totpStep1')}</li>
            <li>{t('security.totpStep2')}</li>
            <li>{t('security.totpStep3')}</li>
          </ol>
          <TotpQr uri={enrolment.uri} />
          <p id={ids.secret}>
            {t('security.key')}{' '}
            <span className="mono totp-secret" data-secret={enrolment.secret}>
              {enrolment.secret.match(/.{1,4}/g)?.join(' ')}
            </span>
          </p>
          <label htmlFor={ids.code}>{t('security.codeFromApp')}</label>
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
            {t('security.turnOn')}
          </button>
        </form>
      ) : (
        <button type="button" className="primary" onClick={() => void begin()}>
          {t('security.setUpApp')}
        </button>
      )}
      <FormStatus status={done} error={error} />
      {codes ? <RecoveryCodeList codes={codes} /> : null}
    </section>
  );
}

function RecoveryCodesCard({ status, onChange }: { status: SecurityStatus; onChange: () => void }) {
  const { t } = useTranslation();
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
      <h2 id="recovery-codes">{t('security.codesTitle')}</h2>
      <p className="hint">{t('security.codesIntro')}</p>
      <p>{t('security.codesLeft', { count: status.recoveryCodes })}</p>
      {codes ? <RecoveryCodeList codes={codes} /> : null}
      <form className="form" onSubmit={(e) => void renew(e)}>
        <label htmlFor={ids.password}>{t('security.passwordForCodes')}</label>
        <input
          id={ids.password}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="ghost">
          {t('security.newCodes')}
        </button>
      </form>
      <FormError message={error} />
    </section>
  );
}

function FamilyRequirement({ familyId, status }: { familyId: string; status: SecurityStatus }) {
  const { t } = useTranslation();
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
      <h2 id="family-two-step">{t('security.familyTitle')}</h2>
      <p className="hint">{t('security.familyIntro')}</p>
      {state ? (
        <>
          <p>
            <strong>{state.required ? t('security.required') : t('security.notRequired')}</strong>{' '}
            {state.membersWithout === 0
              ? t('security.everyoneHas')
              : t('security.without', { count: state.membersWithout })}
          </p>
          <button
            type="button"
            className={state.required ? 'ghost' : 'primary'}
            onClick={() => void toggle()}
            disabled={!state.required && !status.totp && status.passkeys === 0}
          >
            {state.required ? t('security.stopRequiring') : t('security.require')}
          </button>
          {!state.required && !status.totp && status.passkeys === 0 ? (
            <p className="hint">{t('security.ownFirst')}</p>
          ) : null}
        </>
      ) : null}
      <FormError message={error} />
    </section>
  );
}

function Sessions() {
  const { t } = useTranslation();
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
      setStatus(t('security.signedOut', { browser: s.browser }));
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const revokeOthers = async () => {
    try {
      const { ended } = await securityApi.revokeOthers();
      setStatus(
        ended === 0 ? t('security.noOtherSessions') : t('security.signedOutOthers', { count: ended }),
      );
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const others = list?.filter((s) => !s.current) ?? [];
  return (
    <section className="card" aria-labelledby="sessions">
      <h2 id="sessions">{t('security.sessionsTitle')}</h2>
      {list === null ? (
        <p role="status">{t('security.loading')}</p>
      ) : (
        <ul className="list security-list" aria-label={t('security.sessions')}>
          {list.map((s) => (
            <li key={s.sessionId}>
              <div>
                <strong>
                  {s.system ? t('security.browserOn', { browser: s.browser, system: s.system }) : s.browser}
                </strong>{' '}
                {s.current ? <span className="badge">{t('security.thisBrowser')}</span> : null}
                <p className="hint">
                  {s.ip ?? t('security.unknownAddress')} ·{' '}
                  {t('security.lastUsed', { when: when(s.lastUsedAt) })}
                </p>
              </div>
              {s.current ? null : (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() => void revoke(s)}
                  aria-label={t('security.signOutLabel', {
                    browser: s.system
                      ? t('security.browserOn', { browser: s.browser, system: s.system })
                      : s.browser,
                  })}
                >
                  {t('common.signOut')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 ? (
        <button type="button" className="ghost" onClick={() => void revokeOthers()}>
          {t('security.signOutOthers')}
        </button>
      ) : list ? (
        <p className="hint">{t('security.onlyHere')}</p>
      ) : null}
      <FormStatus status={status} error={error} />
    </section>
  );
}

function Events({ version }: { version: number }) {
  const { t } = useTranslation();
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
      <h2 id="events">{t('security.eventsTitle')}</h2>
      {events === null ? (
        <p role="status">{t('security.loading')}</p>
      ) : events.length === 0 ? (
        <EmptyState icon="key" title={t('security.nothingYet')}>
          <p>{t('security.eventsHint')}</p>
        </EmptyState>
      ) : (
        <ul className="list security-list" aria-label={t('security.events')}>
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
  const { t } = useTranslation();
  const [status, setStatus] = useState<SecurityStatus | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    setVersion((v) => v + 1);
    void securityApi.status().then(setStatus, (e: unknown) => setError(describeError(e)));
    void guardian.session.refreshSecurity().catch(() => undefined);
  }, [guardian]);
  useEffect(() => {
    void securityApi.status().then(setStatus, (e: unknown) => setError(describeError(e)));
  }, []);

  return (
    <Page title={t('security.title')} intro={t('security.intro')}>
      {status?.mustAdd ? (
        <p className="card warn" role="note">
          {t('security.mustAdd')}
        </p>
      ) : null}
      <FormError message={error} />
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
