/**
 * The family activity log (docs/privacy.md "Activity log"), for guardians: who signed in, which
 * devices joined, who sent and played messages to which toy, settings changes, toys online and
 * offline — the last 90 days, newest first, filtered by kind, toy and person. Names come from this browser
 * (sealed records); the server sends only ids and never content.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivityEvent, ActivityKind, ActivityResponse } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { t as tr } from '../../i18n/index.js';
import { formatDateTime } from '../date-time.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { ActivitySummarySetting } from './ActivitySummarySetting.js';
import { FormError } from '../components/FormStatus.js';

/** The filter's choices: a few groups of kinds rather than 28 kinds. */
const GROUPS: Record<string, { label: () => string; kinds: ActivityKind[] | null }> = {
  all: { label: () => tr('activity.groupAll'), kinds: null },
  messages: {
    label: () => tr('activity.groupMessages'),
    kinds: ['message_sent', 'message_played', 'message_deleted', 'message_approved', 'message_declined'],
  },
  people: {
    label: () => tr('activity.groupPeople'),
    kinds: [
      'sign_in',
      'device_added',
      'device_removed',
      'invitation_created',
      'invitation_revoked',
      'join_requested',
      'join_approved',
      'join_declined',
      'member_removed',
      'member_blocked',
      'member_unblocked',
    ],
  },
  toys: {
    label: () => tr('activity.groupToys'),
    kinds: ['toy_paired', 'toy_unpaired', 'toy_renamed', 'toy_online', 'toy_offline'],
  },
  settings: {
    label: () => tr('activity.groupSettings'),
    kinds: [
      'toy_settings_changed',
      'retention_changed',
      'second_factor_rule_changed',
      'family_created',
      'child_added',
      'child_profile_changed',
      'child_deleted',
    ],
  },
};

const SENTENCES: Record<ActivityKind, (who: string, toy: string, subject: string) => string> = {
  sign_in: (who) => tr('activity.signIn', { who }),
  family_created: (who) => tr('activity.familyCreated', { who }),
  device_added: (who, _t, s) => tr('activity.deviceAdded', { who, subject: s }),
  device_removed: (who, _t, s) => tr('activity.deviceRemoved', { who, subject: s }),
  toy_paired: (who, toy) => tr('activity.toyPaired', { who, toy }),
  toy_unpaired: (who, toy) => tr('activity.toyUnpaired', { who, toy }),
  toy_renamed: (who, toy) => tr('activity.toyRenamed', { who, toy }),
  toy_online: (_w, toy) => tr('activity.toyOnline', { toy }),
  toy_offline: (_w, toy) => tr('activity.toyOffline', { toy }),
  child_added: (who) => tr('activity.childAdded', { who }),
  child_profile_changed: (who) => tr('activity.childChanged', { who }),
  child_deleted: (who) => tr('activity.childDeleted', { who }),
  invitation_created: (who) => tr('activity.invitationCreated', { who }),
  invitation_revoked: (who) => tr('activity.invitationRevoked', { who }),
  join_requested: (who) => tr('activity.joinRequested', { who }),
  join_approved: (who) => tr('activity.joinApproved', { who }),
  join_declined: (who) => tr('activity.joinDeclined', { who }),
  member_removed: (who) => tr('activity.memberRemoved', { who }),
  member_blocked: (who) => tr('activity.memberBlocked', { who }),
  member_unblocked: (who) => tr('activity.memberUnblocked', { who }),
  toy_settings_changed: (who, toy) => tr('activity.toySettingsChanged', { who, toy }),
  retention_changed: (who) => tr('activity.retentionChanged', { who }),
  second_factor_rule_changed: (who) => tr('activity.secondFactorChanged', { who }),
  message_sent: (who, toy) =>
    toy ? tr('activity.messageSentTo', { who, toy }) : tr('activity.messageSent', { who }),
  message_played: (who, toy) =>
    who === toy
      ? tr('activity.toyPlayed', { toy })
      : toy
        ? tr('activity.messagePlayedFrom', { who, toy })
        : tr('activity.messagePlayed', { who }),
  message_deleted: (who) => tr('activity.messageDeleted', { who }),
  message_approved: (who) => tr('activity.messageApproved', { who }),
  message_declined: (who) => tr('activity.messageDeclined', { who }),
};

export function Activity() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { group: useId(), toy: useId(), who: useId() };
  const [group, setGroup] = useState('all');
  const [toyId, setToyId] = useState('');
  const [accountId, setAccountId] = useState('');
  const [events, setEvents] = useState<ActivityEvent[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [keptDays, setKeptDays] = useState(90);
  const [error, setError] = useState<string | null>(null);
  const isGuardian = state.role === 'guardian';
  const familyId = state.familyId;
  // Who is who: this account, and each member's devices and email (names are opened in this browser).
  const [me, setMe] = useState<string | null>(null);
  const [members, setMembers] = useState<Map<string, { devices: string[]; email: string }>>(new Map());
  useEffect(() => {
    if (!isGuardian) return;
    void new ApiClient({ baseUrl: window.location.origin })
      .getMe()
      .then((m) => setMe(m.accountId))
      .catch(() => undefined);
    void guardian.members
      .familyPeople()
      .then((p) =>
        setMembers(
          new Map(
            p.requests.map((r) => [
              r.accountId,
              { devices: r.devices.map((d) => d.deviceId), email: r.email },
            ]),
          ),
        ),
      )
      .catch(() => undefined);
  }, [isGuardian, guardian]);

  const load = useCallback(
    async (before: number | null) => {
      if (!familyId) return;
      setError(null);
      const q = new URLSearchParams({ limit: '50' });
      const kinds = GROUPS[group]?.kinds;
      if (kinds) q.set('kind', kinds.join(','));
      if (toyId) q.set('toyId', toyId);
      if (accountId) q.set('accountId', accountId);
      if (before !== null) q.set('before', String(before));
      try {
        const res = await new ApiClient({ baseUrl: window.location.origin }).request<ActivityResponse>(
          'GET',
          `/v1/families/${familyId}/activity?${q.toString()}`,
        );
        setEvents((old) => (before === null ? res.events : [...(old ?? []), ...res.events]));
        setNextBefore(res.nextBefore);
        setKeptDays(res.keptDays);
      } catch (err) {
        setError(describeError(err));
      }
    },
    [familyId, group, toyId, accountId],
  );
  useEffect(() => {
    if (isGuardian) void load(null);
  }, [isGuardian, load]);

  if (!isGuardian) {
    return (
      <Page title={t('activity.title')}>
        <EmptyState icon="family" title={t('activity.onlyGuardians')}>
          <p>{t('activity.askGuardian')}</p>
        </EmptyState>
      </Page>
    );
  }

  const toyName = (id: string | null): string => {
    if (id === null) return '';
    const toy = state.toys.find((x) => x.toyId === id);
    return toy?.name ?? t('activity.theToy');
  };
  const who = (e: ActivityEvent): string => {
    if (e.deviceId !== null && state.toys.some((x) => x.toyId === e.deviceId)) return toyName(e.deviceId);
    if (
      (e.deviceId !== null && e.deviceId === state.deviceId) ||
      (e.accountId !== null && e.accountId === me)
    )
      return t('names.you');
    if (e.deviceId !== null && state.memberNames[e.deviceId]) return guardian.names.personName([e.deviceId]);
    const member = e.accountId === null ? undefined : members.get(e.accountId);
    if (member) return guardian.names.personName(member.devices, member.email);
    return e.accountId === null ? 'Burrow' : t('activity.aMember');
  };
  const subject = (e: ActivityEvent): string =>
    e.subject === null
      ? t('activity.aDevice')
      : e.subject === state.deviceId
        ? t('activity.thisBrowser')
        : state.memberNames[e.subject]
          ? t('activity.deviceOf', { name: guardian.names.personName([e.subject]) })
          : state.toys.some((x) => x.toyId === e.subject)
            ? toyName(e.subject)
            : t('activity.aDevice');

  return (
    <Page title={t('activity.title')} intro={t('activity.intro', { days: keptDays })}>
      <section className="card" aria-label={t('activity.filter')}>
        <div className="form">
          <label htmlFor={ids.group}>{t('activity.show')}</label>
          <select id={ids.group} value={group} onChange={(e) => setGroup(e.target.value)}>
            {Object.entries(GROUPS).map(([key, g]) => (
              <option key={key} value={key}>
                {g.label()}
              </option>
            ))}
          </select>
          {state.toys.length > 0 ? (
            <>
              <label htmlFor={ids.toy}>{t('activity.toy')}</label>
              <select id={ids.toy} value={toyId} onChange={(e) => setToyId(e.target.value)}>
                <option value="">{t('activity.everyToy')}</option>
                {state.toys.map((x) => (
                  <option key={x.toyId} value={x.toyId}>
                    {x.name ?? t('activity.unnamedToy')}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <label htmlFor={ids.who}>{t('activity.who')}</label>
          <select id={ids.who} value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">{t('activity.everyone')}</option>
            {me ? <option value={me}>{t('names.you')}</option> : null}
            {[...members].map(([id, m]) => (
              <option key={id} value={id}>
                {guardian.names.personName(m.devices, m.email)}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => void load(null)}>
            {t('activity.refresh')}
          </button>
        </div>
      </section>
      <FormError message={error} />
      {events === null ? (
        <p role="status">{t('activity.loading')}</p>
      ) : events.length === 0 ? (
        <p className="hint">{t('activity.nothing')}</p>
      ) : (
        <ul className="list plain activity" aria-label={t('activity.log')}>
          {events.map((e) => (
            <li key={e.seq} data-kind={e.kind}>
              <span>{SENTENCES[e.kind](who(e), toyName(e.toyId), subject(e))}</span>{' '}
              <time className="hint" dateTime={new Date(e.at).toISOString()}>
                {formatDateTime(e.at)}
              </time>
            </li>
          ))}
        </ul>
      )}
      {nextBefore !== null ? (
        <button type="button" onClick={() => void load(nextBefore)}>
          {t('activity.older')}
        </button>
      ) : null}
      <ActivitySummarySetting />
      <p className="hint">{t('activity.chained')}</p>
    </Page>
  );
}
