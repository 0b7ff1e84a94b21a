/**
 * The time-zone picker's choices and labels. The current zone, the browser's, UTC and a few common
 * zones come first; then every zone the browser knows, grouped by region (Europe, Asia, …) and
 * sorted by city in the page's language, so typing a city's first letters in the closed picker
 * finds it. UTC is always offered (Chromium's list of zones leaves it out, so once changed it could
 * not be chosen again). A zone reads as "Berlin — Central European Time (UTC+01:00)": the city from
 * the zone's name, the zone's generic name and today's offset from Intl in the page's language.
 */
import { t } from '../i18n/index.js';

const COMMON = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
];

/** The first part of a zone's name, as the IANA database spells it, with its heading. */
const REGIONS = {
  Europe: (lng: string) => t('zones.europe', { lng }),
  America: (lng: string) => t('zones.america', { lng }),
  Africa: (lng: string) => t('zones.africa', { lng }),
  Asia: (lng: string) => t('zones.asia', { lng }),
  Australia: (lng: string) => t('zones.australia', { lng }),
  Pacific: (lng: string) => t('zones.pacific', { lng }),
  Atlantic: (lng: string) => t('zones.atlantic', { lng }),
  Indian: (lng: string) => t('zones.indian', { lng }),
  Antarctica: (lng: string) => t('zones.antarctica', { lng }),
  Arctic: (lng: string) => t('zones.arctic', { lng }),
} as const;

export interface TimeZoneGroup {
  /** The region's heading in the page's language ("Europa"), or "Other" for zones outside them. */
  label: string;
  zones: string[];
}

export interface TimeZoneChoices {
  common: string[];
  /** Every other zone, by region in REGIONS' order, each sorted by city. */
  groups: TimeZoneGroup[];
}

/** "Buenos Aires, Argentina" for America/Argentina/Buenos_Aires; "Berlin" for Europe/Berlin. */
export function zoneCity(zone: string): string {
  const parts = zone.split('/').map((p) => p.replace(/_/g, ' '));
  if (parts.length <= 1) return zone;
  const city = parts[parts.length - 1] ?? zone;
  return parts.length > 2 ? `${city}, ${parts.slice(1, -1).join(', ')}` : city;
}

export function timeZoneChoices(
  browserZone: string,
  current: string,
  all: readonly string[],
  language = 'en',
): TimeZoneChoices {
  const common = [...new Set([current, browserZone, ...COMMON])];
  const collator = new Intl.Collator(language);
  const byRegion = new Map<string, string[]>();
  for (const zone of new Set(all)) {
    if (common.includes(zone)) continue;
    const region = zone.split('/')[0] ?? '';
    const key = Object.hasOwn(REGIONS, region) && zone.includes('/') ? region : '';
    byRegion.set(key, [...(byRegion.get(key) ?? []), zone]);
  }
  const order = [...Object.keys(REGIONS), ''];
  const groups = [...byRegion.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([region, zones]) => ({
      label: region === '' ? t('zones.other', { lng: language }) : REGIONS[region as keyof typeof REGIONS](language),
      zones: zones.sort((a, b) => collator.compare(zoneCity(a), zoneCity(b)) || collator.compare(a, b)),
    }));
  return { common, groups };
}

function zoneName(zone: string, language: string, style: 'longOffset' | 'longGeneric', at: number): string {
  try {
    return (
      new Intl.DateTimeFormat(language, { timeZone: zone, timeZoneName: style })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? ''
    );
  } catch {
    return ''; // a zone this browser does not know keeps its city alone
  }
}

/**
 * "(UTC+01:00)" from Intl's "GMT+01:00" (or "GMT" for no offset), with a real minus sign so screen
 * readers say "minus"; empty when Intl does not know the zone.
 */
export function zoneOffset(zone: string, at = Date.now()): string {
  const text = zoneName(zone, 'en', 'longOffset', at);
  const match = /^GMT(?:([+-−])(\d{2}):(\d{2}))?$/.exec(text);
  if (!match) return '';
  const [, sign, hours, minutes] = match;
  return sign ? `UTC${sign === '+' ? '+' : '−'}${hours ?? ''}:${minutes ?? ''}` : 'UTC+00:00';
}

/**
 * "Berlin — Mitteleuropäische Zeit (UTC+01:00)" in German, "Berlin — Central European Time
 * (UTC+01:00)" in English; the generic name is left out where Intl only has an offset for it.
 * The offset is today's (`at`): it changes with daylight saving.
 */
export function timeZoneLabel(zone: string, language = 'en', at = Date.now()): string {
  if (zone === 'UTC') return t('zones.utc', { lng: language });
  const offset = zoneOffset(zone, at);
  const generic = zoneName(zone, language, 'longGeneric', at);
  const named = generic !== '' && !/^(GMT|UTC)|\d/.test(generic) ? ` — ${generic}` : '';
  return `${zoneCity(zone)}${named}${offset ? ` (${offset})` : ''}`;
}
