/**
 * The family activity log (docs/privacy.md "Activity log"), for guardians: who signed in, which
 * devices joined, who sent and played messages to which toy, settings changes, toys online and
 * offline — the last 90 days, newest first, filtered by kind, toy and person. Names come from this browser
 * (sealed records); the server sends only ids and never content.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { ActivityEvent, ActivityKind, ActivityResponse } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { formatDateTime } from '../date-time.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import { ActivitySummarySetting } from './ActivitySummarySetting.js';

/** The filter's choices: a few groups of kinds rather than 28 kinds. */
const GROUPS: Record<string, { label: string; kinds: ActivityKind[] | null }> = {
  all: { label: 'Everything', kinds: null },
  messages: { label: 'Messages', kinds: ['message_sent', 'message_played', 'message_deleted', 'message_approved', 'message_declined'] },
  people: {
    label: 'Sign-ins, people and devices',
    kinds: ['sign_in', 'device_added', 'device_removed', 'invitation_created', 'invitation_revoked', 'join_requested', 'join_approved', 'join_declined', 'member_removed', 'member_blocked', 'member_unblocked'],
  },
  toys: { label: 'Toys', kinds: ['toy_paired', 'toy_unpaired', 'toy_renamed', 'toy_online', 'toy_offline'] },
  settings: {
    label: 'Settings and profiles',
    kinds: ['toy_settings_changed', 'retention_changed', 'second_factor_rule_changed', 'family_created', 'child_added', 'child_profile_changed', 'child_deleted'],
  },
};

const SENTENCES: Record<ActivityKind, (who: string, toy: string, subject: string) => string> = {
  sign_in: (who) => `${who} signed in`,
  family_created: (who) => `${who} created the family`,
  device_added: (who, _t, s) => `${who} added ${s} to the family`,
  device_removed: (who, _t, s) => `${who} removed ${s} from the family`,
  toy_paired: (who, toy) => `${who} paired ${toy}`,
  toy_unpaired: (who, toy) => `${who} unpaired ${toy}`,
  toy_renamed: (who, toy) => `${who} renamed ${toy}`,
  toy_online: (_w, toy) => `${toy} came online`,
  toy_offline: (_w, toy) => `${toy} went offline`,
  child_added: (who) => `${who} added a child’s profile`,
  child_profile_changed: (who) => `${who} changed a child’s profile`,
  child_deleted: (who) => `${who} deleted a child’s profile`,
  invitation_created: (who) => `${who} created an invitation`,
  invitation_revoked: (who) => `${who} withdrew an invitation`,
  join_requested: (who) => `${who} asked to join`,
  join_approved: (who) => `${who} approved a request to join`,
  join_declined: (who) => `${who} declined a request to join`,
  member_removed: (who) => `${who} removed a member`,
  member_blocked: (who) => `${who} blocked someone`,
  member_unblocked: (who) => `${who} unblocked someone`,
  toy_settings_changed: (who, toy) => `${who} changed ${toy}’s settings`,
  retention_changed: (who) => `${who} changed how long the server keeps messages`,
  second_factor_rule_changed: (who) => `${who} changed the second-factor rule`,
  message_sent: (who, toy) => `${who} sent a message${toy ? ` to ${toy}` : ''}`,
  message_played: (who, toy) => (who === toy ? `${toy} played a message` : `${who} played a message${toy ? ` from ${toy}` : ''}`),
  message_deleted: (who) => `${who} deleted a message`,
  message_approved: (who) => `${who} approved a message for the toy`,
  message_declined: (who) => `${who} declined a message for the toy`,
};

export function Activity() {
  const [state, guardian] = useGuardian();
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
    void guardian
      .familyPeople()
      .then((p) => setMembers(new Map(p.requests.map((r) => [r.accountId, { devices: r.devices.map((d) => d.deviceId), email: r.email }]))))
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
      <Page title="Activity">
        <EmptyState icon="family" title="Only guardians see the family’s activity">
          <p>Ask a guardian of your family.</p>
        </EmptyState>
      </Page>
    );
  }

  const toyName = (id: string | null): string => {
    if (id === null) return '';
    const toy = state.toys.find((t) => t.toyId === id);
    return toy?.name ?? 'the toy';
  };
  const who = (e: ActivityEvent): string => {
    if (e.deviceId !== null && state.toys.some((t) => t.toyId === e.deviceId)) return toyName(e.deviceId);
    if ((e.deviceId !== null && e.deviceId === state.deviceId) || (e.accountId !== null && e.accountId === me)) return 'You';
    if (e.deviceId !== null && state.memberNames[e.deviceId]) return guardian.personName([e.deviceId]);
    const member = e.accountId === null ? undefined : members.get(e.accountId);
    if (member) return guardian.personName(member.devices, member.email);
    return e.accountId === null ? 'Burrow' : 'A family member';
  };
  const subject = (e: ActivityEvent): string =>
    e.subject === null ? 'a device' : e.subject === state.deviceId ? 'this browser' : state.memberNames[e.subject] ? `${guardian.personName([e.subject])}’s device` : state.toys.some((t) => t.toyId === e.subject) ? toyName(e.subject) : 'a device';

  return (
    <Page
      title="Activity"
      intro={`What happened in your family in the last ${String(keptDays)} days: who signed in, who joined, who sent and played messages, and to which toy. Never what was said.`}
    >
      <section className="card" aria-label="Filter">
        <div className="form">
          <label htmlFor={ids.group}>Show</label>
          <select id={ids.group} value={group} onChange={(e) => setGroup(e.target.value)}>
            {Object.entries(GROUPS).map(([key, g]) => (
              <option key={key} value={key}>
                {g.label}
              </option>
            ))}
          </select>
          {state.toys.length > 0 ? (
            <>
              <label htmlFor={ids.toy}>Toy</label>
              <select id={ids.toy} value={toyId} onChange={(e) => setToyId(e.target.value)}>
                <option value="">Every toy</option>
                {state.toys.map((t) => (
                  <option key={t.toyId} value={t.toyId}>
                    {t.name ?? 'Unnamed toy'}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <label htmlFor={ids.who}>Who</label>
          <select id={ids.who} value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">Everyone</option>
            {me ? <option value={me}>You</option> : null}
            {[...members].map(([id, m]) => (
              <option key={id} value={id}>
                {guardian.personName(m.devices, m.email)}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => void load(null)}>
            Refresh
          </button>
        </div>
      </section>
      <div role="alert" className="form-error">
        {error}
      </div>
      {events === null ? (
        <p role="status">Loading…</p>
      ) : events.length === 0 ? (
        <p className="hint">Nothing to show for this choice.</p>
      ) : (
        <ul className="list plain activity" aria-label="Activity log">
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
          Show older
        </button>
      ) : null}
      <ActivitySummarySetting />
      <p className="hint">
        Each event is chained to the one before it, so an operator can check that none was changed or removed
        (docs/privacy.md).
      </p>
    </Page>
  );
}
