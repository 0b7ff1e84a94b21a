/**
 * Incident notices in the web app (issue 6; docs/api.md "Notices"): what `burrow incident notify`
 * records for each affected account, shown with the headings California Civil Code § 1798.82(d)(1)
 * requires and the dates, plus the banner the signed-in layout shows while one is unread.
 */
import { describeError } from '../../shared/errors.js';
import type { Notice, NoticesResponse } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { t } from '../../i18n/index.js';
import { formatCalendarDay, formatDate } from '../date-time.js';
import { follow } from '../router.js';

const api = new ApiClient({ baseUrl: window.location.origin });

/** Fired after a notice is marked read, so the banner updates without a reload. */
const CHANGED = 'burrow-notices-changed';

export async function markNoticeRead(incidentId: string): Promise<void> {
  await api.request<void>('POST', `/v1/me/notices/${encodeURIComponent(incidentId)}/read`);
  window.dispatchEvent(new Event(CHANGED));
}

/** The signed-in account's notices, newest first; `null` while loading. */
export function useNotices(): { notices: Notice[] | null; unread: number; error: string | null } {
  const [state, setState] = useState<{ notices: Notice[] | null; unread: number; error: string | null }>({
    notices: null,
    unread: 0,
    error: null,
  });
  const load = useCallback(() => {
    api.request<NoticesResponse>('GET', '/v1/me/notices').then(
      (r) => {
        setState({ notices: r.notices, unread: r.unread, error: null });
      },
      (err: unknown) => {
        setState((s) => ({ ...s, error: describeError(err) }));
      },
    );
  }, []);
  useEffect(() => {
    load();
    window.addEventListener(CHANGED, load);
    return () => {
      window.removeEventListener(CHANGED, load);
    };
  }, [load]);
  return state;
}

/** The machine-readable day for <time dateTime>; people see formatDate's. */
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function occurred(n: Notice): string {
  if (n.occurredFrom === null) return t('notices.notDetermined');
  const from = formatCalendarDay(n.occurredFrom);
  if (n.occurredTo === null || formatCalendarDay(n.occurredTo) === from) return from;
  return t('notices.range', { from, to: formatCalendarDay(n.occurredTo) });
}

/** One notice: its title, its dates, and its five sections in the statute's order. */
export function IncidentNotice({ notice }: { notice: Notice }) {
  const { t } = useTranslation();
  const titleId = `notice-${notice.incidentId}`;
  return (
    <article className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{notice.title}</h2>
      <dl>
        <dt>{t('notices.date')}</dt>
        <dd>
          <time dateTime={day(notice.noticeDate)}>{formatDate(notice.noticeDate)}</time>
        </dd>
        <dt>{t('notices.occurred')}</dt>
        <dd>{occurred(notice)}</dd>
        <dt>{t('notices.discovered')}</dt>
        <dd>
          <time dateTime={day(notice.discoveredAt)}>{formatDate(notice.discoveredAt)}</time>
        </dd>
      </dl>
      {notice.sections.map((section) => (
        <section key={section.heading}>
          <h3>{section.heading}</h3>
          {section.body.split('\n\n').map((paragraph, i) => (
            <p key={i}>{paragraph}</p>
          ))}
        </section>
      ))}
    </article>
  );
}

/** Shown at the top of every signed-in page while a notice is unread. */
export function NoticeBanner({ hidden }: { hidden?: boolean }) {
  const { unread } = useNotices();
  const { t } = useTranslation();
  if (hidden || unread === 0) return null;
  return (
    <p className="card warn" role="note">
      <strong>{t('notices.important')}</strong> {t('notices.banner', { count: unread })}{' '}
      <a href="/notices" onClick={follow}>
        {t('notices.read', { count: unread })}
      </a>
      .
    </p>
  );
}
