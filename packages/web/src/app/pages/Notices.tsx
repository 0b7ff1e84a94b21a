import { useEffect } from 'react';
import { EmptyState, Page } from '../components/Page.js';
import { IncidentNotice, markNoticeRead, useNotices } from '../components/IncidentNotice.js';

/**
 * Notices about security incidents that concern this account (docs/operations.md, "Incidents").
 * Opening the page marks them read; they stay listed here.
 */
export function Notices() {
  const { notices, error } = useNotices();
  useEffect(() => {
    for (const n of notices ?? []) if (n.readAt === null) void markNoticeRead(n.incidentId).catch(() => undefined);
  }, [notices]);
  return (
    <Page title="Notices" intro="Notices about security incidents that concern your account. We also sent each one by email.">
      {error ? <p role="alert">Notices could not be loaded: {error}</p> : null}
      {notices === null && !error ? <p role="status">Loading notices…</p> : null}
      {notices?.length === 0 ? (
        <EmptyState icon="key" title="No notices">
          <p>If a security incident ever concerns your account, we will tell you here and by email.</p>
        </EmptyState>
      ) : null}
      {notices?.map((n) => <IncidentNotice key={n.incidentId} notice={n} />)}
    </Page>
  );
}
