/**
 * Family page, for guardians: how long Burrow's server keeps a message after every device it was
 * sent to has it (GET/PUT /v1/families/:familyId/retention; docs/privacy.md), and what that means.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RetentionResponse } from '@burrow/api';
import { FormStatus } from '../components/FormStatus.js';
import { useGuardian } from '../context.js';
import { useFamilySetting } from '../use-family-setting.js';

export function RetentionSetting() {
  const [state] = useGuardian();
  const { t } = useTranslation();
  const ids = { heading: useId(), days: useId(), help: useId() };
  const familyId = state.familyId;
  const setting = useFamilySetting<RetentionResponse>(familyId ? `/v1/families/${familyId}/retention` : null);
  const { current } = setting;
  const [days, setDays] = useState('');
  // The field starts at the period the server has.
  const loadedDays = current?.days;
  useEffect(() => {
    if (loadedDays !== undefined) setDays(String(loadedDays));
  }, [loadedDays]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!current) return;
    const n = Number(days);
    if (!Number.isInteger(n) || n < current.minDays || n > current.maxDays)
      return setting.refuse(t('retention.outOfRange', { min: current.minDays, max: current.maxDays }));
    await setting.save({ days: n }, (saved) => t('retention.saved', { count: saved.days }));
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t('retention.title')}</h2>
      <p id={ids.help}>
        {t('retention.help', {
          period: current ? t('retention.days', { count: current.days }) : t('retention.periodBelow'),
          unfetched: current?.unfetchedExpiryDays ?? 30,
        })}
      </p>
      <form className="form" onSubmit={(e) => void save(e)} noValidate>
        <label htmlFor={ids.days}>
          {t('retention.label', {
            min: current?.minDays ?? 1,
            max: current?.maxDays ?? 365,
            default: current?.defaultDays ?? 30,
          })}
        </label>
        <input
          id={ids.days}
          type="number"
          inputMode="numeric"
          min={current?.minDays ?? 1}
          max={current?.maxDays ?? 365}
          value={days}
          aria-describedby={ids.help}
          onChange={(e) => setDays(e.target.value)}
        />
        <button type="submit" disabled={!current}>
          {t('common.save')}
        </button>
      </form>
      <FormStatus status={setting.status} error={setting.error} />
    </section>
  );
}
