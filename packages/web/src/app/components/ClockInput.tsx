import { useTranslation } from 'react-i18next';
import { clockHas12Hours, clockParts, type ClockPart } from '../date-time.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const MINUTES = Array.from({ length: 60 }, (_, m) => m);

/** The text of one part ("7", "30", "PM") of a minute of the day, as the chosen language shows it. */
const partOf = (minuteOfDay: number, type: ClockPart['type']): string =>
  clockParts(minuteOfDay).find((p) => p.type === type)?.value ?? '';

/**
 * A time of day asked for as hour and minute, plus AM/PM where the chosen language uses a 12-hour
 * clock: native <select>s whose options, and their order, come from Intl in the app's language
 * (date-time.ts), so the time is asked for exactly as every other time is shown. Not
 * `<input type="time">`: its format follows the browser's language, so a German app in an English
 * browser asked for "07:30 PM" beside "19:30". Native selects keep keyboard and screen-reader use as
 * people know it; the legend names the group ("From"), each select its part ("Hour").
 */
export function ClockInput({
  legend,
  value,
  onChange,
}: {
  legend: string;
  /** Minutes since midnight, 0-1439. */
  value: number;
  onChange: (minuteOfDay: number) => void;
}) {
  // The language is read through t(), so a change of language shows the new format at once.
  const { t } = useTranslation();
  const twelve = clockHas12Hours();
  const hour = Math.floor(value / 60);
  const minute = value % 60;
  const pm = hour >= 12 ? 12 : 0;

  const control = (part: ClockPart, index: number) => {
    switch (part.type) {
      case 'hour':
        // In 12-hour languages the hour select holds 12 hours and AM/PM says which half of the day.
        return (
          <select
            key="hour"
            aria-label={t('settings.hour')}
            value={twelve ? hour - pm : hour}
            onChange={(e) => onChange((Number(e.target.value) + (twelve ? pm : 0)) * 60 + minute)}
          >
            {(twelve ? HOURS.slice(0, 12) : HOURS).map((h) => (
              <option key={h} value={h}>
                {partOf((h + (twelve ? pm : 0)) * 60, 'hour')}
              </option>
            ))}
          </select>
        );
      case 'minute':
        return (
          <select
            key="minute"
            aria-label={t('settings.minute')}
            value={minute}
            onChange={(e) => onChange(hour * 60 + Number(e.target.value))}
          >
            {MINUTES.map((m) => (
              <option key={m} value={m}>
                {partOf(m, 'minute')}
              </option>
            ))}
          </select>
        );
      case 'dayPeriod':
        return (
          <select
            key="dayPeriod"
            aria-label={t('settings.dayPeriod')}
            value={pm}
            onChange={(e) => onChange((hour - pm + Number(e.target.value)) * 60 + minute)}
          >
            {[0, 12].map((half) => (
              <option key={half} value={half}>
                {partOf((hour - pm + half) * 60, 'dayPeriod')}
              </option>
            ))}
          </select>
        );
      default:
        // The separators (":" and spaces) are shown, not spoken: each select already says its part.
        return (
          <span key={`literal-${String(index)}`} aria-hidden="true">
            {part.value}
          </span>
        );
    }
  };

  return (
    <fieldset className="clock-input">
      <legend>{legend}</legend>
      <span className="clock">{clockParts(value).map(control)}</span>
    </fieldset>
  );
}
