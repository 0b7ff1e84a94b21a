import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, Page } from '../components/Page.js';
import { IncidentNotice, markNoticeRead, useNotices } from '../components/IncidentNotice.js';

/**
 * Notices about security incidents that concern this account (docs/operations.md, "Incidents").
 * Opening the page marks them read; they stay listed here.
 */
export function Notices() {
  const { notices, error } = useNotices();
  const { t } = useTranslation();
  useEffect(() => {
    for (const n of notices ?? [])
      if (n.readAt === null) void markNoticeRead(n.incidentId).catch(() => undefined);
  }, [notices]);
  return (
    <Page title={t('notices.title')} intro={t('notices.intro')}>
      {error ? <p role="alert">{t('notices.loadFailed', { error })}</p> : null}
      {notices === null && !error ? <p role="status">{t('notices.loading')}</p> : null}
      {notices?.length === 0 ? (
        <EmptyState icon="key" title={t('notices.none')}>
          <p>{t('notices.noneHint')}</p>
        </EmptyState>
      ) : null}
      {notices?.map((n) => (
        <IncidentNotice key={n.incidentId} notice={n} />
      ))}
    </Page>
  );
}
