import { useTranslation } from 'react-i18next';
import { DAY_PERIODS, hourChoices, minuteChoices } from '../clock-choices.js';
import { clockHas12Hours, clockParts, type ClockPart } from '../date-time.js';

type PartType = Exclude<ClockPart['type'], 'literal'>;

/** The text of one part ("7", "30", "PM") of a minute of the day, as the chosen language shows it. */
const partOf = (minuteOfDay: number, type: PartType): string =>
  clockParts(minuteOfDay).find((p) => p.type === type)?.value ?? '';

/** What one select of the clock offers: its spoken name, its choices and the text of each. */
interface PartSelectProps {
  label: string;
  value: number;
  choices: readonly number[];
  text: (choice: number) => string;
  onChange: (choice: number) => void;
}

/** One part of the clock (hour, minute or AM/PM) as a native select: the one shape all three share. */
function PartSelect({ label, value, choices, text, onChange }: PartSelectProps) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {choices.map((c) => (
        <option key={c} value={c}>
          {text(c)}
        </option>
      ))}
    </select>
  );
}

/**
 * A time of day asked for as hour and minute, plus AM/PM where the chosen language uses a 12-hour
 * clock: native <select>s whose options, and their order, come from Intl in the app's language
 * (date-time.ts), so the time is asked for exactly as every other time is shown. Not
 * `<input type="time">`: its format follows the browser's language, so a German app in an English
 * browser asked for "07:30 PM" beside "19:30". Native selects keep keyboard and screen-reader use as
 * people know it; the legend names the group ("From"), each select its part ("Hour"). Minutes come in
 * 5-minute steps, with a saved minute off the steps kept (clock-choices.ts).
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
  // In 12-hour languages the hour select holds 12 hours and AM/PM (0 or 12) says which half of the day.
  const half = twelve && hour >= 12 ? 12 : 0;

  const parts: Record<PartType, PartSelectProps> = {
    hour: {
      label: t('settings.hour'),
      value: hour - half,
      choices: hourChoices(twelve),
      text: (h) => partOf((h + half) * 60, 'hour'),
      onChange: (h) => onChange((h + half) * 60 + minute),
    },
    minute: {
      label: t('settings.minute'),
      value: minute,
      choices: minuteChoices(minute),
      text: (m) => partOf(m, 'minute'),
      onChange: (m) => onChange(hour * 60 + m),
    },
    dayPeriod: {
      label: t('settings.dayPeriod'),
      value: half,
      choices: DAY_PERIODS,
      text: (p) => partOf((hour - half + p) * 60, 'dayPeriod'),
      onChange: (p) => onChange((hour - half + p) * 60 + minute),
    },
  };

  return (
    <fieldset className="clock-input">
      <legend>{legend}</legend>
      <span className="clock">
        {clockParts(value).map((part, index) =>
          part.type === 'literal' ? (
            // The separators (":") are shown, not spoken: each select already says its part. A space
            // is left to the row's gap, so the three selects fit one line on a phone.
            part.value.trim() === '' ? null : (
              <span key={`literal-${String(index)}`} aria-hidden="true">
                {part.value}
              </span>
            )
          ) : (
            <PartSelect key={part.type} {...parts[part.type]} />
          ),
        )}
      </span>
    </fieldset>
  );
}
