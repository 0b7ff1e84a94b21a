/**
 * The headless toy's key rotation schedule from its command line or environment (docs/protocol.md
 * §14.3): `--key-rotation-days` / BURROW_TOY_KEY_ROTATION_DAYS and `--key-grace-days` /
 * BURROW_TOY_KEY_GRACE_DAYS, in days (fractions allowed, so a test rig can rotate every few minutes).
 * The flag wins over the environment; what is left out keeps the default (weekly, 2 days' grace).
 */
import { DEFAULT_ROTATION, type RotationPolicy } from '@burrow/client';

const DAY = 24 * 60 * 60 * 1000;
/** Shorter than a minute would rotate on nearly every sync; longer than a year is not rotating. */
const MIN_MS = 60 * 1000;
const MAX_MS = 365 * DAY;

function days(name: string, text: string | undefined): number | undefined | string {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  const ms = Math.round(n * DAY);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(n) || ms < MIN_MS || ms > MAX_MS)
    return `${name} must be a number of days between ${MIN_MS / DAY} (one minute) and 365, not '${text}'.`;
  return ms;
}

/** The policy, or a message saying which value is wrong. */
export function rotationFromOptions(
  values: { 'key-rotation-days'?: string; 'key-grace-days'?: string },
  env: Record<string, string | undefined>,
): { policy: RotationPolicy } | { error: string } {
  const interval = days('--key-rotation-days', values['key-rotation-days'] ?? env.BURROW_TOY_KEY_ROTATION_DAYS);
  if (typeof interval === 'string') return { error: interval };
  const grace = days('--key-grace-days', values['key-grace-days'] ?? env.BURROW_TOY_KEY_GRACE_DAYS);
  if (typeof grace === 'string') return { error: grace };
  return { policy: { intervalMs: interval ?? DEFAULT_ROTATION.intervalMs, graceMs: grace ?? DEFAULT_ROTATION.graceMs } };
}
