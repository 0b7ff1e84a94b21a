import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ListBlocksResponse } from '@burrow/api';
import type { Grant, JoinRequest, PendingDevice } from '@burrow/client';
import { deviceFingerprint } from '@burrow/protocol';
import { describeError } from '../../shared/errors.js';
import { ConfirmButton } from '../components/Confirm.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { FamilyDeletion } from './Deleting.js';
import { RetentionSetting } from './RetentionSetting.js';
import { ArchiveCard } from '../archive/ArchiveCard.js';
import { follow } from '../router.js';
import { inviteLink } from '../invite-link.js';
import { formatDateTime } from '../date-time.js';
import { currentLanguage } from '../../i18n/index.js';
import { FormStatus } from '../components/FormStatus.js';

interface People {
  requests: JoinRequest[];
  pendingDevices: PendingDevice[];
  blocks: ListBlocksResponse['blocks'];
}

/**
 * The fingerprint of a device's keys as the server handed them (docs/protocol.md §12). The person
 * sees the same digits on their own Join or Devices page; comparing them in person or on a call
 * shows the server did not swap in keys of its own.
 */
function Fingerprints({
  devices,
}: {
  devices: { deviceId: string; signPublicKey: string; kemPublicKey: string }[];
}) {
  const { t } = useTranslation();
  if (devices.length === 0) return null;
  return (
    <div className="fingerprints">
      <p className="hint">{t('family.compare')}</p>
      <ul>
        {devices.map((d) => (
          <li key={d.deviceId} className="mono fingerprint" data-fingerprint={deviceFingerprint(d)}>
            {deviceFingerprint(d)}
          </li>
        ))}
      </ul>
    </div>
  );
}

const when = formatDateTime;

/** The rights a guardian gives a person or a device: a small fieldset of checkboxes. */
function GrantPicker({
  grant,
  onChange,
  legend,
}: {
  grant: Grant;
  onChange: (g: Grant) => void;
  legend: string;
}) {
  const { t } = useTranslation();
  const ids = { guardian: useId(), send: useId(), hear: useId() };
  return (
    <fieldset className="grant">
      <legend>{legend}</legend>
      <label htmlFor={ids.guardian}>
        <input
          id={ids.guardian}
          type="checkbox"
          checked={grant.role === 'guardian'}
          onChange={(e) => onChange({ ...grant, role: e.target.checked ? 'guardian' : 'member' })}
        />{' '}
        {t('family.grantGuardian')}
      </label>
      <label htmlFor={ids.send}>
        <input
          id={ids.send}
          type="checkbox"
          checked={grant.sendToToy}
          onChange={(e) => onChange({ ...grant, sendToToy: e.target.checked })}
        />{' '}
        {t('family.grantSend')}
      </label>
      <label htmlFor={ids.hear}>
        <input
          id={ids.hear}
          type="checkbox"
          checked={grant.hearChild}
          onChange={(e) => onChange({ ...grant, hearChild: e.target.checked })}
        />{' '}
        {t('family.grantHear')}
      </label>
    </fieldset>
  );
}

const DEFAULT_GRANT: Grant = { role: 'member', sendToToy: true, hearChild: true };
const OWN_DEVICE_GRANT: Grant = { role: 'guardian', sendToToy: true, hearChild: true };

function JoinRequestCard({
  request,
  onDone,
  onError,
}: {
  request: JoinRequest;
  onDone: (message: string) => void;
  onError: (message: string) => void;
}) {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const [grant, setGrant] = useState<Grant>(DEFAULT_GRANT);
  const [busy, setBusy] = useState(false);
  const act = async (approve: boolean) => {
    setBusy(true);
    try {
      if (approve) await guardian.members.approveJoinRequest(request.requestId, grant);
      else await guardian.members.declineJoinRequest(request.requestId);
      onDone(
        approve
          ? t('family.joined', { email: request.email })
          : t('family.declined', { email: request.email }),
      );
    } catch (err) {
      onError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="card">
      <h3>{request.email}</h3>
      <p className="hint">
        {t('family.asked', { when: when(request.createdAt), count: request.devices.length })}
      </p>
      <Fingerprints devices={request.devices} />
      <GrantPicker grant={grant} onChange={setGrant} legend={t('family.whatMay', { who: request.email })} />
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void act(true)}>
          {t('family.approve', { email: request.email })}
        </button>
        <button type="button" className="ghost" disabled={busy} onClick={() => void act(false)}>
          {t('family.decline', { email: request.email })}
        </button>
      </div>
    </li>
  );
}

function PendingDeviceCard({
  device,
  knownDevices,
  onDone,
  onError,
}: {
  device: PendingDevice;
  /** The same account's devices already in the family, whose sealed names say who this is. */
  knownDevices: string[];
  onDone: (message: string) => void;
  onError: (message: string) => void;
}) {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  // The guardian's own new phone or laptop: it gets what this device has, Guardian included.
  const mine = device.email === state.email;
  // The person's name from their devices already in the family ("Grandma"), else their email.
  const person = guardian.names.personName(knownDevices, device.email);
  const [grant, setGrant] = useState<Grant>(
    mine && state.role === 'guardian' ? OWN_DEVICE_GRANT : DEFAULT_GRANT,
  );
  const [busy, setBusy] = useState(false);
  const approve = async () => {
    setBusy(true);
    try {
      await guardian.devices.approveDevice(device.deviceId, grant);
      onDone(t('family.approvedDevice', { person }));
    } catch (err) {
      onError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="card">
      <h3>{mine ? t('family.yourNewDevice') : t('family.newDeviceOf', { person })}</h3>
      {!mine && person !== device.email ? <p className="hint">{device.email}</p> : null}
      <Fingerprints devices={[device]} />
      <GrantPicker grant={grant} onChange={setGrant} legend={t('family.whatDeviceMay')} />
      <button type="button" className="primary" disabled={busy} onClick={() => void approve()}>
        {t('family.approveDevice')}
      </button>
    </li>
  );
}

/** Guardians: invite relatives, approve or decline them, remove or block members, unblock. */
export function Family() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = {
    invite: useId(),
    label: useId(),
    requests: useId(),
    devices: useId(),
    members: useId(),
    blocked: useId(),
    activity: useId(),
  };
  const [people, setPeople] = useState<People | null>(null);
  const [invitation, setInvitation] = useState<{ code: string; expiresAt: number } | null>(null);
  const [copied, setCopied] = useState(false);
  // Who the next invitation is for ("Grandma"): shown with it and put in the shared message; kept
  // only on this page (the server stores no names in clear).
  const [label, setLabel] = useState('');
  const [invitedLabel, setInvitedLabel] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isGuardian = state.role === 'guardian';
  const rosterVersion = state.roster?.version ?? 0;

  const reload = useCallback(async () => {
    try {
      setPeople(await guardian.members.familyPeople());
    } catch (err) {
      setError(describeError(err));
    }
  }, [guardian]);

  // Reload whenever the roster changes (the stream's `roster` event reloads the family), and every
  // few seconds for new join requests, which have no stream event.
  useEffect(() => {
    if (!isGuardian) return;
    void reload();
    const timer = window.setInterval(() => void reload(), 5000);
    return () => window.clearInterval(timer);
  }, [isGuardian, reload, rosterVersion]);

  const done = (message: string) => {
    setError(null);
    setStatus(message);
    void reload();
  };

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCopied(false);
    try {
      setInvitation(await guardian.members.invite());
      setInvitedLabel(label.trim());
    } catch (err) {
      setError(describeError(err));
    }
  };

  // The fragment also says who invites whom to talk with which child, so the join page can say it
  // before sign-up; a fragment never reaches the server (docs/api.md, "Invitations").
  const link = invitation
    ? inviteLink(
        window.location.origin,
        invitation.code,
        state.senderName,
        state.children.map((c) => c.name),
      )
    : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setError(t('family.copyFailed'));
    }
  };
  // The phone's own share sheet where there is one (Messages, WhatsApp, mail…); copying otherwise.
  const share = async () => {
    const names = state.children.map((c) => c.name);
    const children =
      names.length > 0
        ? new Intl.ListFormat(currentLanguage(), { type: 'conjunction' }).format(names)
        : t('family.ourChild');
    const text = label.trim()
      ? t('family.shareTextFor', { label: label.trim(), children })
      : t('family.shareText', { children });
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ title: t('family.shareTitle'), text, url: link });
        return;
      } catch (err) {
        if (err instanceof DOMException && err.name === 'AbortError') return;
      }
    }
    await copy();
  };

  const act = async (run: () => Promise<void>) => {
    try {
      await run();
      done(t('family.updated'));
    } catch (err) {
      setError(describeError(err));
    }
  };

  if (!isGuardian) {
    return (
      <Page title={t('family.title')}>
        <EmptyState icon="family" title={t('family.onlyGuardians')}>
          <p>{t('family.onlyGuardiansHint')}</p>
        </EmptyState>
      </Page>
    );
  }

  const pending = people?.requests.filter((r) => r.status === 'pending') ?? [];
  const members = people?.requests.filter((r) => r.status === 'approved') ?? [];
  const inRoster = new Set<string>(state.roster?.devices.map((d) => d.id) ?? []);

  return (
    <Page title={t('family.title')} intro={t('family.intro')}>
      <FormStatus status={status} error={error} />

      <section className="card" aria-labelledby={ids.invite}>
        <h2 id={ids.invite}>{t('family.inviteTitle')}</h2>
        <p>{t('family.inviteIntro')}</p>
        <form className="form" onSubmit={(e) => void invite(e)}>
          <label htmlFor={ids.label}>{t('family.whoFor')}</label>
          <input
            id={ids.label}
            value={label}
            maxLength={40}
            placeholder={t('family.whoForPlaceholder')}
            onChange={(e) => setLabel(e.target.value)}
          />
          <button type="submit" className="primary">
            {t('family.createInvite')}
          </button>
        </form>
        {invitation ? (
          <div className="invitation" data-label={invitedLabel}>
            {invitedLabel ? <h3>{t('family.invitationFor', { label: invitedLabel })}</h3> : null}
            <p>
              {t('family.code')} <strong className="mono invite-code">{invitation.code}</strong>
            </p>
            <p>
              {t('family.link')} <span className="mono invite-link">{link}</span>
            </p>
            <p className="hint">{t('family.shownOnce', { when: when(invitation.expiresAt) })}</p>
            <div className="actions">
              <button type="button" className="primary" onClick={() => void share()}>
                {t('family.share')}
              </button>
              <button type="button" onClick={() => void copy()}>
                {copied ? t('family.copied') : t('family.copyLink')}
              </button>
            </div>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby={ids.requests}>
        <h2 id={ids.requests}>{t('family.waitingTitle')}</h2>
        {pending.length === 0 ? (
          <p className="hint">{t('family.nobodyWaiting')}</p>
        ) : (
          <ul className="list plain">
            {pending.map((r) => (
              <JoinRequestCard key={r.requestId} request={r} onDone={done} onError={setError} />
            ))}
          </ul>
        )}
      </section>

      {people && people.pendingDevices.length > 0 ? (
        <section className="card" aria-labelledby={ids.devices}>
          <h2 id={ids.devices}>{t('family.newDevicesTitle')}</h2>
          <ul className="list plain">
            {people.pendingDevices.map((d) => (
              <PendingDeviceCard
                key={d.deviceId}
                device={d}
                knownDevices={people.requests
                  .filter((r) => r.accountId === d.accountId)
                  .flatMap((r) => r.devices.map((x) => x.deviceId))}
                onDone={done}
                onError={setError}
              />
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card" aria-labelledby={ids.members}>
        <h2 id={ids.members}>{t('family.membersTitle')}</h2>
        {members.length === 0 ? (
          <p className="hint">{t('family.noMembers')}</p>
        ) : (
          <ul className="list plain">
            {members.map((m) => {
              const devices = m.devices.filter((d) => inRoster.has(d.deviceId));
              const name = guardian.names.personName(
                devices.map((d) => d.deviceId),
                m.email,
              );
              return (
                <li key={m.requestId} className="member" data-member-email={m.email}>
                  <h3>{name}</h3>
                  {name !== m.email ? <p className="hint member-email">{m.email}</p> : null}
                  <p className="hint">
                    {devices.length === 0
                      ? t('family.noDevice')
                      : t('family.devicesInList', { count: devices.length })}
                  </p>
                  <div className="actions">
                    {devices.length > 0 ? (
                      <ConfirmButton
                        label={t('family.removeDevices', { name })}
                        question={t('family.removeQuestion', { name })}
                        yes={t('family.removeYes', { name })}
                        onConfirm={() =>
                          act(() => guardian.devices.removeDevices(devices.map((d) => d.deviceId)))
                        }
                      />
                    ) : null}
                    <ConfirmButton
                      danger
                      label={t('family.block', { name })}
                      question={t('family.blockQuestion', { name })}
                      yes={t('family.blockYes', { name })}
                      onConfirm={() => act(() => guardian.members.block(m.accountId))}
                    />
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby={ids.blocked}>
        <h2 id={ids.blocked}>{t('family.blockedTitle')}</h2>
        {!people || people.blocks.length === 0 ? (
          <p className="hint">{t('family.nobodyBlocked')}</p>
        ) : (
          <ul className="list plain">
            {people.blocks.map((b) => (
              <li key={b.accountId} className="member">
                <span>{b.email}</span>{' '}
                <ConfirmButton
                  label={t('family.unblock', { email: b.email })}
                  question={t('family.unblockQuestion', { email: b.email })}
                  yes={t('family.unblockYes', { email: b.email })}
                  onConfirm={() => act(() => guardian.members.unblock(b.accountId))}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby={ids.activity}>
        <h2 id={ids.activity}>{t('family.activityTitle')}</h2>
        <p>{t('family.activityIntro')}</p>
        <a href="/activity" onClick={follow}>
          {t('family.activityLink')}
        </a>
      </section>
      <RetentionSetting />
      <ArchiveCard />
      <FamilyDeletion onDone={done} />
    </Page>
  );
}
