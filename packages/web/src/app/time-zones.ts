/**
 * The time-zone picker's choices: the browser's zone, UTC and a few common zones first, then every
 * zone the browser knows. UTC is always offered (Chromium's list of zones leaves it out, so once
 * changed it could not be chosen again), and each zone reads as "Berlin (Europe) · GMT+1".
 */
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

export interface TimeZoneChoices {
  common: string[];
  others: string[];
}

export function timeZoneChoices(browserZone: string, current: string, all: readonly string[]): TimeZoneChoices {
  const common = [...new Set([current, browserZone, ...COMMON])];
  const others = [...new Set(all)].filter((z) => !common.includes(z)).sort();
  return { common, others };
}

/** "Berlin (Europe) · GMT+1" for Europe/Berlin; "UTC" for UTC. The offset is today's, from Intl. */
export function timeZoneLabel(zone: string, at = Date.now()): string {
  if (zone === 'UTC') return 'UTC (no daylight saving)';
  const parts = zone.split('/');
  const city = (parts[parts.length - 1] ?? zone).replace(/_/g, ' ');
  const region = parts.length > 1 ? parts[0] : null;
  let offset = '';
  try {
    offset =
      new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    // An unknown zone keeps its name alone.
  }
  return `${city}${region ? ` (${region})` : ''}${offset ? ` · ${offset}` : ''}`;
}
