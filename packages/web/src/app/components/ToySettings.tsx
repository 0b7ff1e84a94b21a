import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_VOLUME, reviewedDevices, settingsVolume } from '@burrow/protocol';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { timeZoneChoices, timeZoneLabel } from '../time-zones.js';
import { formatClock, setFamilyTimeZone } from '../date-time.js';
import { ClockInput } from './ClockInput.js';
import { FormError, FormStatus } from './FormStatus.js';

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// Labels carry today's offset; made once per zone and language per page load (418 zones).
const labels = new Map<string, string>();
function label(zone: string, language: string): string {
  const key = `${language} ${zone}`;
  let text = labels.get(key);
  if (text === undefined) labels.set(key, (text = timeZoneLabel(zone, language)));
  return text;
}

function zoneChoices(current: string, language: string) {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return timeZoneChoices(browserTimeZone(), current, intl.supportedValuesOf?.('timeZone') ?? [], language);
}

const toText = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

interface Person {
  accountId: string;
  email: string;
  deviceIds: string[];
}

/**
 * A toy's settings — quiet hours, volume, and whose messages wait for a guardian's review — saved as
 * one record this guardian device signs (docs/protocol.md §10-11). The toy verifies and obeys it
 * itself, so the server can neither forge these settings nor lift them.
 */
export function ToySettings({ toyId, toyName }: { toyId: string; toyName: string }) {
  const [, guardian] = useGuardian();
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const ids = {
    title: useId(),
    quiet: useId(),
    zone: useId(),
    volume: useId(),
    review: useId(),
    error: useId(),
  };
  const [quiet, setQuiet] = useState(false);
  // Minutes since midnight in the toy's zone, as the signed settings hold them (19:30 and 07:00).
  const [start, setStart] = useState(19 * 60 + 30);
  const [end, setEnd] = useState(7 * 60);
  const [zone, setZone] = useState(browserTimeZone);
  const [volume, setVolume] = useState(DEFAULT_VOLUME);
  const [people, setPeople] = useState<Person[]>([]);
  const [reviewed, setReviewed] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stopped = false;
    Promise.all([guardian.toys.toySettings(toyId), guardian.reviews.reviewablePeople()])
      .then(([{ settings }, found]) => {
        if (stopped) return;
        setPeople(found);
        if (!settings) return;
        setZone(settings.timeZone);
        // The toys' zone is the family's: every date in the app is shown in it.
        setFamilyTimeZone(settings.timeZone);
        setQuiet(settings.quietHours !== null);
        if (settings.quietHours) {
          setStart(settings.quietHours.start);
          setEnd(settings.quietHours.end);
        }
        setVolume(settingsVolume(settings));
        setReviewed(new Set(reviewedDevices(settings)));
      })
      .catch((err: unknown) => {
        if (!stopped) setError(describeError(err));
      });
    return () => {
      stopped = true;
    };
  }, [guardian, toyId]);

  const choices = useMemo(() => zoneChoices(zone, language), [zone, language]);

  const isReviewed = (p: Person) => p.deviceIds.some((d) => reviewed.has(d));
  const toggleReview = (p: Person, on: boolean) => {
    const next = new Set(reviewed);
    for (const d of p.deviceIds) {
      if (on) next.add(d);
      else next.delete(d);
    }
    setReviewed(next);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (quiet && start === end) return setError(t('settings.sameTimes'));
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await guardian.toys.setToySettings(toyId, {
        timeZone: zone,
        quietHours: quiet ? { start, end } : null,
        volume,
        review: [...reviewed],
      });
      setFamilyTimeZone(zone);
      const waiting = people.filter(isReviewed).length;
      setStatus(
        t('settings.saved', { toy: toyName, volume }) +
          (quiet
            ? t('settings.savedQuiet', { start: formatClock(toText(start)), end: formatClock(toText(end)) })
            : '') +
          (waiting > 0 ? t('settings.savedReview', { count: waiting }) : t('settings.savedEnd')),
      );
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="quiet-hours toy-settings"
      onSubmit={(e) => void save(e)}
      aria-labelledby={ids.title}
      noValidate
    >
      <h3 id={ids.title}>{t('settings.title', { toy: toyName })}</h3>

      <label htmlFor={ids.volume}>{t('settings.volume', { volume })}</label>
      <input
        id={ids.volume}
        type="range"
        min={0}
        max={100}
        step={5}
        value={volume}
        onChange={(e) => setVolume(Number(e.target.value))}
      />

      <label htmlFor={ids.quiet}>
        <input id={ids.quiet} type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />{' '}
        {t('settings.quiet')}
      </label>
      {quiet ? (
        <>
          <ClockInput legend={t('settings.from')} value={start} onChange={setStart} />
          <ClockInput legend={t('settings.until')} value={end} onChange={setEnd} />
          <label htmlFor={ids.zone}>{t('settings.zone')}</label>
          <select id={ids.zone} value={zone} onChange={(e) => setZone(e.target.value)}>
            <optgroup label={t('settings.common')}>
              {choices.common.map((z) => (
                <option key={z} value={z}>
                  {label(z, language)}
                </option>
              ))}
            </optgroup>
            {choices.groups.map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.zones.map((z) => (
                  <option key={z} value={z}>
                    {label(z, language)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </>
      ) : null}

      <fieldset aria-describedby={ids.review}>
        <legend>{t('settings.review')}</legend>
        <p id={ids.review} className="hint">
          {t('settings.reviewHint')}
        </p>
        {people.length === 0 ? (
          <p className="hint">{t('settings.nobodyElse', { toy: toyName })}</p>
        ) : (
          people.map((p) => (
            <label key={p.accountId}>
              {/* The name they chose ("Grandma"), as Family shows them; their email only if they chose none. */}
              <input
                type="checkbox"
                checked={isReviewed(p)}
                onChange={(e) => toggleReview(p, e.target.checked)}
              />{' '}
              {t('settings.reviewFrom', { name: guardian.names.personName(p.deviceIds, p.email) })}
            </label>
          ))
        )}
      </fieldset>

      <FormError id={ids.error} message={error} />
      <button type="submit" disabled={busy}>
        {busy ? t('settings.saving') : t('settings.save')}
      </button>
      <FormStatus status={status} />
    </form>
  );
}
