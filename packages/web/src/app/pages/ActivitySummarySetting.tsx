/**
 * Activity page, for guardians: the weekly summary mail of the family's activity (counts, never
 * content; GET/PUT /v1/families/:familyId/activity/summary-mail, audit/activity-summary.ts).
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivitySummaryState } from '@burrow/api';
import { FormStatus } from '../components/FormStatus.js';
import { formatDateTime } from '../date-time.js';
import { useGuardian } from '../context.js';
import { useFamilySetting } from '../use-family-setting.js';

export function ActivitySummarySetting() {
  const [state] = useGuardian();
  const { t } = useTranslation();
  const ids = { heading: useId(), box: useId() };
  const setting = useFamilySetting<ActivitySummaryState>(
    state.familyId ? `/v1/families/${state.familyId}/activity/summary-mail` : null,
  );
  const { current } = setting;

  // The box follows the click at once; a refusal puts it back.
  const change = (enabled: boolean) =>
    setting.save(
      { enabled },
      (saved) =>
        saved.enabled
          ? t('activitySummary.savedOn', { days: saved.everyDays })
          : t('activitySummary.savedOff'),
      (c) => ({ ...c, enabled }),
    );

  const every = current?.everyDays ?? 7;
  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t('activitySummary.title')}</h2>
      <p>
        {t('activitySummary.intro', { days: every })}
        {current?.lastSentAt
          ? ` ${t('activitySummary.lastSent', { when: formatDateTime(current.lastSentAt) })}`
          : ''}
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
      <FormStatus status={setting.status} error={setting.error} />
    </section>
  );
}
