/**
 * Deleting, in the app (docs/api.md "Deleting"): one's own account (Security page), and for guardians
 * a child's profile, the devices of members who deleted their accounts, and the whole family (Family
 * page). What cannot be undone asks for the password again, and a code when a second factor is on.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../components/Confirm.js';
import type { AccountExport, ConfirmOwnerBody, SecurityStatus } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { securityApi } from '../security-api.js';

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
  const ids = { password: useId(), code: useId(), error: useId() };
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password) return setError('Type your password to confirm.');
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
      <label htmlFor={ids.password}>Your password</label>
      <input
        id={ids.password}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {needsCode ? (
        <>
          <label htmlFor={ids.code}>Code from your authenticator app, or a recovery code</label>
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
      <div id={ids.error} role="alert" className="form-error">
        {error}
      </div>
    </form>
  );
}

const hasSecondFactor = (status: SecurityStatus | null): boolean =>
  status !== null && (status.totp || status.passkeys > 0);

/** Security page: download what the server holds about this account (GET /v1/me/export), as JSON. */
export function ExportAccountCard() {
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
      <h2 id={heading}>Your data</h2>
      <p>
        Download what Burrow’s servers hold about you in readable form: your account, families, devices,
        sign-ins, security log and the audit events that name you. Messages are not in it: only your devices
        can open them.
      </p>
      <button type="button" onClick={() => void download()}>
        Download my account data
      </button>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}

/** Security page (and the first-run page, for an account without a family): delete this account. */
export function DeleteAccountCard({ status: given }: { status?: SecurityStatus }) {
  const [, guardian] = useGuardian();
  const heading = useId();
  const [loaded, setLoaded] = useState<SecurityStatus | null>(null);
  useEffect(() => {
    if (!given) void securityApi.status().then(setLoaded, () => setLoaded(null));
  }, [given]);
  const status = given ?? loaded;
  return (
    <section className="card" aria-labelledby={heading}>
      <h2 id={heading}>Delete your account</h2>
      <p>
        This deletes your account from Burrow’s servers at once: your sign-ins, devices, keys, passkeys,
        recovery codes and security log. You leave your family; messages you sent stay with the people they
        were sent to. This browser forgets its keys and messages. We mail you a confirmation. Encrypted
        backups keep a copy until they age out.
      </p>
      <p className="hint">
        If you are your family’s only guardian, first make another member a guardian or delete the family
        (Family page).
      </p>
      <ConfirmOwnerForm
        needsCode={hasSecondFactor(status)}
        action="Delete my account for good"
        onConfirm={(proof) => guardian.deleteAccount(proof)}
      />
    </section>
  );
}

/** Family page (guardians): devices of deleted accounts, children's profiles, the whole family. */
export function FamilyDeletion({ onDone }: { onDone: (message: string) => void }) {
  const [state, guardian] = useGuardian();
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
          <h2 id={ids.departed}>Devices of deleted accounts</h2>
          <p>
            {departed === 1 ? 'One device' : `${departed} devices`} in your family list belonged to someone
            who deleted their account. Remove them so your toys forget them too.
          </p>
          <ConfirmButton
            label="Remove devices of deleted accounts"
            question="Remove the devices of deleted accounts from the family list?"
            yes="Yes, remove them"
            onConfirm={() => run(() => guardian.removeDepartedDevices(), 'The devices of deleted accounts were removed.')}
          />
        </section>
      ) : null}
      <section className="card" aria-labelledby={ids.children}>
        <h2 id={ids.children}>Children’s profiles</h2>
        <p className="hint">
          Deleting a profile unpairs that child’s toys first: each toy is told and wipes itself.
        </p>
        <ul className="list plain">
          {state.children.map((c) => (
            <li key={c.childId} className="member">
              <span>{c.name}</span>{' '}
              <ConfirmButton
                danger
                label={`Delete ${c.name}’s profile`}
                question={`Delete ${c.name}’s profile? Their toys are unpaired and wipe themselves.`}
                yes={`Yes, delete ${c.name}’s profile`}
                onConfirm={() => run(() => guardian.deleteChild(c.childId), `${c.name}’s profile was deleted.`)}
              />
            </li>
          ))}
        </ul>
        <div role="alert" className="form-error">
          {error}
        </div>
      </section>
      <section className="card" aria-labelledby={ids.family}>
        <h2 id={ids.family}>Delete this family</h2>
        <p>
          This deletes your family from Burrow’s servers at once: every message and recording, the children’s
          profiles, the toys (each is told and wipes itself), invitations and settings. Everyone in the family
          is mailed. Accounts stay. Encrypted backups keep a copy until they age out.
        </p>
        <ConfirmOwnerForm
          needsCode={hasSecondFactor(status)}
          action="Delete this family for good"
          onConfirm={(proof) => guardian.deleteFamily(proof)}
        />
      </section>
    </>
  );
}
