import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n/index.js';
import { describeError } from '../../shared/errors.js';
import { Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';
import { FormError, FormStatus } from '../components/FormStatus.js';

function roleLabel(role: string): string {
  return role === 'guardian'
    ? translate('roles.guardian')
    : role === 'member'
      ? translate('roles.member')
      : translate('roles.toy');
}

/** This browser's device, the account's devices and the family roster; sign out of this browser. */
export function Devices() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { name: useId(), nameStatus: useId(), error: useId(), renewStatus: useId() };
  const [renewal, setRenewal] = useState<string | null>(null);
  const [renewing, setRenewing] = useState(false);
  const [name, setName] = useState(state.senderName);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const saveName = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await guardian.family.saveSenderName(name);
      setSaved(t('devices.nameSaved'));
    } catch (err) {
      setError(describeError(err));
    }
  };

  // A new identity key for this browser, same place in the family (docs/protocol.md §17).
  const renew = async () => {
    setRenewing(true);
    setError(null);
    try {
      const result = await guardian.session.renewIdentity();
      setRenewal(result === 'renewed' ? t('devices.renewDone') : t('devices.renewAsked'));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setRenewing(false);
    }
  };

  const signOut = async () => {
    try {
      await guardian.session.logOut();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <Page title={t('devices.title')}>
      <section className="card" aria-labelledby="this-browser">
        <h2 id="this-browser">{t('devices.thisBrowser')}</h2>
        <p>
          {t('more.signedInAs')} <strong>{state.email}</strong>.
        </p>
        <p>{t('devices.keysHere')}</p>
        <p>{t('devices.fingerprint')}</p>
        <p className="mono fingerprint" data-testid="my-fingerprint">
          {guardian.devices.fingerprint()}
        </p>
        <form className="form inline" onSubmit={(e) => void saveName(e)}>
          <label htmlFor={ids.name}>{t('devices.nameLabel')}</label>
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t('devices.namePlaceholder')}
          />
          <button type="submit">{t('devices.saveName')}</button>
          <FormStatus statusId={ids.nameStatus} status={saved} />
        </form>
        <FormError id={ids.error} message={error} />
        {state.familyId && state.inRoster ? (
          <div className="form">
            <p className="hint">{t('devices.renewHint')}</p>
            <button type="button" onClick={() => void renew()} disabled={renewing || state.renewalPending}>
              {t('devices.renewButton')}
            </button>
            <FormStatus
              statusId={ids.renewStatus}
              status={renewal ?? (state.renewalPending ? t('devices.renewWaiting') : null)}
            />
          </div>
        ) : null}
        <button type="button" className="ghost" onClick={() => void signOut()}>
          {t('more.signOutHere')}
        </button>
      </section>

      <section className="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('devices.sessionsTitle')}</h2>
        <p>{t('devices.sessionsHint')}</p>
        <a className="button" href="/security" onClick={follow}>
          {t('devices.sessionsLink')}
        </a>
      </section>

      <section className="card" aria-labelledby="account-devices">
        <h2 id="account-devices">{t('devices.accountDevices')}</h2>
        <ul className="list plain">
          {state.accountDevices.map((id, i) => (
            <li key={id}>
              {id === state.deviceId ? (
                <span className="badge">{t('devices.thisBrowser')}</span>
              ) : (
                <>
                  {t('devices.anotherBrowser')}{' '}
                  <span className="hint">{t('devices.deviceNumber', { n: i + 1 })}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="family-devices">
        <h2 id="family-devices">{t('devices.familyDevices')}</h2>
        {state.roster ? (
          <>
            <p className="hint">{t('devices.rosterHint')}</p>
            <table className="roster">
              <caption className="sr-only">{t('devices.rosterCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('devices.colDevice')}</th>
                  <th scope="col">{t('devices.colRole')}</th>
                  <th scope="col">{t('devices.colMay')}</th>
                </tr>
              </thead>
              <tbody>
                {state.roster.devices.map((d) => (
                  <tr key={d.id}>
                    <td>
                      {d.role === 'toy'
                        ? guardian.names.toyName(d.id)
                        : d.id === state.deviceId
                          ? state.senderName || t('devices.you')
                          : guardian.names.personName([d.id], null)}
                      {d.id === state.deviceId ? (
                        <span className="badge">{t('devices.thisBrowser')}</span>
                      ) : null}
                    </td>
                    <td>{roleLabel(d.role)}</td>
                    <td>
                      {[d.sendToToy ? t('devices.maySend') : '', d.hearChild ? t('devices.mayHear') : '']
                        .filter(Boolean)
                        .join(', ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p>{t('devices.noFamily')}</p>
        )}
      </section>
    </Page>
  );
}
