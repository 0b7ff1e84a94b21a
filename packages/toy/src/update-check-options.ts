/**
 * How often the running headless toy checks for updates (docs/updates.md "On the toy"), from its
 * command line or environment: `--update-check-hours` / BURROW_TOY_UPDATE_CHECK_HOURS, in hours
 * (fractions allowed for a test rig). Default daily: a check is two small requests when nothing is
 * new, and a security fix should not wait on someone running `burrow-toy update check`. 'off' leaves
 * checks to that command (a maker driving updates from its own timer).
 */
const HOUR = 60 * 60 * 1000;
const DEFAULT_MS = 24 * HOUR;
const MIN_MS = 60 * 1000;
const MAX_MS = 30 * 24 * HOUR;

export function updateChecksFromOptions(
  values: { 'update-check-hours'?: string },
  env: Record<string, string | undefined>,
): { intervalMs: number | undefined } | { error: string } {
  const text = values['update-check-hours'] ?? env.BURROW_TOY_UPDATE_CHECK_HOURS;
  if (text === undefined || text === '') return { intervalMs: DEFAULT_MS };
  if (text === 'off') return { intervalMs: undefined };
  const ms = Math.round(Number(text) * HOUR);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS)
    return { error: `--update-check-hours must be 'off' or a number of hours from 0.0167 (one minute) to 720, not '${text}'.` };
  return { intervalMs: ms };
}
