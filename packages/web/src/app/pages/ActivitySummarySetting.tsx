/**
 * Activity page, for guardians: the weekly summary mail of the family's activity (counts, never
 * content; GET/PUT /v1/families/:familyId/activity/summary-mail, audit/activity-summary.ts).
 */
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivitySummaryState } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { formatDateTime } from '../date-time.js';
import { useGuardian } from '../context.js';

export function ActivitySummarySetting() {
  const [state] = useGuardian();
  const { t } = useTranslation();
  const ids = { heading: useId(), box: useId() };
  const [current, setCurrent] = useState<ActivitySummaryState | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = state.familyId ? `/v1/families/${state.familyId}/activity/summary-mail` : null;

  useEffect(() => {
    if (!path) return;
    new ApiClient({ baseUrl: window.location.origin })
      .request<ActivitySummaryState>('GET', path)
      .then(setCurrent)
      .catch((err: unknown) => setError(describeError(err)));
  }, [path]);

  const change = async (enabled: boolean) => {
    if (!path) return;
    setStatus(null);
    setError(null);
    // The box follows the click at once; a refusal puts it back.
    setCurrent((c) => (c ? { ...c, enabled } : c));
    try {
      const next = await new ApiClient({ baseUrl: window.location.origin }).request<ActivitySummaryState>('PUT', path, { enabled });
      setCurrent(next);
      setStatus(next.enabled ? t('activitySummary.savedOn', { days: next.everyDays }) : t('activitySummary.savedOff'));
    } catch (err) {
      setCurrent((c) => (c ? { ...c, enabled: !enabled } : c));
      setError(describeError(err));
    }
  };

  const every = current?.everyDays ?? 7;
  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t('activitySummary.title')}</h2>
      <p>
        {t('activitySummary.intro', { days: every })}
        {current?.lastSentAt ? ` ${t('activitySummary.lastSent', { when: formatDateTime(current.lastSentAt) })}` : ''}
      </p>
      <div className="check">
        <input
          id={ids.box}
          type="checkbox"
          checked={current?.enabled ?? false}
          disabled={current === null}
          onChange={(e) => void change(e.target.checked)}
        />
        <label htmlFor={ids.box}>{t('activitySummary.box', { days: every })}</label>
      </div>
      <div role="status" className="ok">
        {status}
      </div>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}
