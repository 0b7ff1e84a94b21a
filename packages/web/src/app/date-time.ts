/**
 * The app's one date and time format per language: Intl with the chosen language (src/i18n) and the
 * family's time zone, medium date and short time — so 12- or 24-hour follows the language everywhere,
 * never mixed, and "today" means today where the family (its toys) lives. Every page and the toy
 * simulator format dates and times here, nowhere else.
 */
import { currentLanguage, i18n } from '../i18n/index.js';

const ZONE_KEY = 'burrow.timeZone';

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function readZone(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(ZONE_KEY);
  } catch {
    return null;
  }
}

let familyZone: string | null = readZone();

/** The time zone dates are shown in: the family's (its toys' setting), else the browser's. */
export function displayTimeZone(): string {
  return familyZone ?? browserZone();
}

/**
 * Remembers the family's time zone (a toy's setting, seen on the Toys page) so every date shows in
 * it, on this page and the next visit. An unknown zone name is ignored.
 */
export function setFamilyTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return;
  }
  familyZone = zone;
  try {
    localStorage.setItem(ZONE_KEY, zone);
  } catch {
    // storage blocked: the zone holds for this page only
  }
}

type Style = 'dateTime' | 'date' | 'time' | 'day';
const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  date: { dateStyle: 'medium' },
  time: { timeStyle: 'short' },
  // The calendar day as a key for "is it today?" comparisons, not for showing.
  day: { year: 'numeric', month: '2-digit', day: '2-digit' },
};

// Intl formatters are slow to build and a timeline formats hundreds of times: one per language, zone and style.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(
  style: Style,
  language = currentLanguage(),
  zone = displayTimeZone(),
): Intl.DateTimeFormat {
  const key = `${language}|${zone}|${style}`;
  let format = formatters.get(key);
  if (!format)
    formatters.set(key, (format = new Intl.DateTimeFormat(language, { ...OPTIONS[style], timeZone: zone })));
  return format;
}

/** "Dec 1, 2026, 3:04 PM" in English, "01.12.2026, 15:04" in German. */
export function formatDateTime(at: number): string {
  return formatter('dateTime').format(new Date(at));
}

/** "Dec 1, 2026" / "01.12.2026". */
export function formatDate(at: number): string {
  return formatter('date').format(new Date(at));
}

/**
 * A calendar day stored as its UTC midnight (an incident's "occurred" days): shown as that day
 * wherever the family lives, not shifted into the evening before.
 */
export function formatCalendarDay(utcMidnight: number): string {
  return formatter('date', currentLanguage(), 'UTC').format(new Date(utcMidnight));
}

/** The time alone when `at` is today in the family's zone, else date and time. */
export function formatTime(at: number, now = Date.now()): string {
  const day = formatter('day');
  return day.format(new Date(at)) === day.format(new Date(now))
    ? formatter('time').format(new Date(at))
    : formatDateTime(at);
}

/**
 * A wall-clock time with no date or zone of its own ("07:00" from a toy's quiet hours, already in the
 * toy's zone), in the chosen language's style: "7:00 AM" in English, "07:00" in German — the same
 * 12- or 24-hour style as every other time the app shows. Anything not HH:MM is shown as it came.
 */
export function formatClock(hhmm: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!match) return hhmm;
  // Formatted as that time on a fixed day in UTC, so no zone or daylight saving shifts it.
  return formatter('time', currentLanguage(), 'UTC').format(new Date(Date.UTC(2000, 0, 1, Number(match[1]), Number(match[2]))));
}

/** One piece of a shown time of day: the hour, the minute, AM/PM, or what sits between them. */
export type ClockPart = { type: 'hour' | 'minute' | 'dayPeriod' | 'literal'; value: string };

/** A minute of the day (0-1439) as the parts formatClock shows it in, in the chosen language. */
export function clockParts(minuteOfDay: number): ClockPart[] {
  const at = new Date(Date.UTC(2000, 0, 1, Math.floor(minuteOfDay / 60), minuteOfDay % 60));
  return formatter('time', currentLanguage(), 'UTC')
    .formatToParts(at)
    .map((p) => ({
      type: p.type === 'hour' || p.type === 'minute' || p.type === 'dayPeriod' ? p.type : 'literal',
      // V8's format() shows CLDR's narrow no-break space before AM/PM as a plain space (a web
      // compatibility fix) but formatToParts() does not: the same text as formatClock either way.
      value: p.value.replace(/\u202f/g, ' '),
    }));
}

/** Whether the chosen language shows times with AM/PM (a 12-hour clock) rather than 0-23. */
export function clockHas12Hours(): boolean {
  return clockParts(13 * 60).some((p) => p.type === 'dayPeriod');
}

/** "5 minutes ago", "yesterday" in the chosen language; "just now" under 45 s. */
export function formatTimeAgo(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return i18n.t('presence.justNow');
  const format = new Intl.RelativeTimeFormat(currentLanguage(), { numeric: 'auto' });
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}
