/**
 * Deleting, in the app (docs/api.md "Deleting"): one's own account (Security page), and for guardians
 * a child's profile, the devices of members who deleted their accounts, and the whole family (Family
 * page). What cannot be undone asks for the password again, and a code when a second factor is on.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../components/Confirm.js';
import type { AccountExport, ConfirmOwnerBody, SecurityStatus } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { securityApi } from '../security-api.js';
import { FormError } from '../components/FormStatus.js';

/** The password (and a code with a second factor) before something that cannot be undone. */
function ConfirmOwnerForm({
  needsCode,
  action,
  onConfirm,
}: {
  needsCode: boolean;
  action: string;
  onConfirm: (proof: ConfirmOwnerBody) => Promise<void>;
}) {
  const { t } = useTranslation();
  const ids = { password: useId(), code: useId(), error: useId() };
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password) return setError(t('deleting.passwordNeeded'));
    setBusy(true);
    setError(null);
    try {
      await onConfirm(code.trim() ? { password, code: code.trim() } : { password });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={ids.error}>
      <label htmlFor={ids.password}>{t('deleting.password')}</label>
      <input
        id={ids.password}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {needsCode ? (
        <>
          <label htmlFor={ids.code}>{t('deleting.code')}</label>
          <input
            id={ids.code}
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </>
      ) : null}
      <button type="submit" className="danger" disabled={busy}>
        {action}
      </button>
      <FormError id={ids.error} message={error} />
    </form>
  );
}

const hasSecondFactor = (status: SecurityStatus | null): boolean =>
  status !== null && (status.totp || status.passkeys > 0);

/** Security page: download what the server holds about this account (GET /v1/me/export), as JSON. */
export function ExportAccountCard() {
  const { t } = useTranslation();
  const heading = useId();
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      const data = await new ApiClient({ baseUrl: window.location.origin }).request<AccountExport>(
        'GET',
        '/v1/me/export',
      );
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = `burrow-account-${new Date(data.exportedAt).toISOString().slice(0, 10)}.json`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section className="card" aria-labelledby={heading}>
      <h2 id={heading}>{t('deleting.dataTitle')}</h2>
      <p>{t('deleting.dataIntro')}</p>
      <button type="button" onClick={() => void download()}>
        {t('deleting.download')}
      </button>
      <FormError message={error} />
    </section>
  );
}

/** Security page (and the first-run page, for an account without a family): delete this account. */
export function DeleteAccountCard({ status: given }: { status?: SecurityStatus }) {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const heading = useId();
  const [loaded, setLoaded] = useState<SecurityStatus | null>(null);
  useEffect(() => {
    if (!given) void securityApi.status().then(setLoaded, () => setLoaded(null));
  }, [given]);
  const status = given ?? loaded;
  return (
    <section className="card" aria-labelledby={heading}>
      <h2 id={heading}>{t('deleting.accountTitle')}</h2>
      <p>{t('deleting.accountIntro')}</p>
      <p className="hint">{t('deleting.onlyGuardian')}</p>
      <ConfirmOwnerForm
        needsCode={hasSecondFactor(status)}
        action={t('deleting.accountAction')}
        onConfirm={(proof) => guardian.session.deleteAccount(proof)}
      />
    </section>
  );
}

/** Family page (guardians): devices of deleted accounts, children's profiles, the whole family. */
export function FamilyDeletion({ onDone }: { onDone: (message: string) => void }) {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { departed: useId(), children: useId(), family: useId() };
  const [status, setStatus] = useState<SecurityStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void securityApi.status().then(setStatus, () => setStatus(null));
  }, []);
  const run = async (work: () => Promise<void>, message: string) => {
    setError(null);
    try {
      await work();
      onDone(message);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const departed = state.departedDevices.length;
  return (
    <>
      {departed > 0 ? (
        <section className="card warn" aria-labelledby={ids.departed}>
          <h2 id={ids.departed}>{t('deleting.departedTitle')}</h2>
          <p>{t('deleting.departed', { count: departed })}</p>
          <ConfirmButton
            label={t('deleting.departedRemove')}
            question={t('deleting.departedQuestion')}
            yes={t('deleting.departedYes')}
            onConfirm={() => run(() => guardian.devices.removeDepartedDevices(), t('deleting.departedDone'))}
          />
        </section>
      ) : null}
      <section className="card" aria-labelledby={ids.children}>
        <h2 id={ids.children}>{t('deleting.childrenTitle')}</h2>
        <p className="hint">{t('deleting.childrenHint')}</p>
        <ul className="list plain">
          {state.children.map((c) => (
            <li key={c.childId} className="member">
              <span>{c.name}</span>{' '}
              <ConfirmButton
                danger
                label={t('deleting.child', { name: c.name })}
                question={t('deleting.childQuestion', { name: c.name })}
                yes={t('deleting.childYes', { name: c.name })}
                onConfirm={() =>
                  run(() => guardian.family.deleteChild(c.childId), t('deleting.childDone', { name: c.name }))
                }
              />
            </li>
          ))}
        </ul>
        <FormError message={error} />
      </section>
      <section className="card" aria-labelledby={ids.family}>
        <h2 id={ids.family}>{t('deleting.familyTitle')}</h2>
        <p>{t('deleting.familyIntro')}</p>
        <ConfirmOwnerForm
          needsCode={hasSecondFactor(status)}
          action={t('deleting.familyAction')}
          onConfirm={(proof) => guardian.session.deleteFamily(proof)}
        />
      </section>
    </>
  );
}
