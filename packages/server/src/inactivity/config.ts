/**
 * The inactive-families section of the configuration (load-config.ts puts it together;
 * docs/privacy.md "Inactive families", docs/operations.md "Maintenance"):
 *
 *   BURROW_INACTIVE_FAMILY_DAYS        a family none of whose members signed in for this many days
 *                                      is warned by mail (default 365, at least 30)
 *   BURROW_INACTIVE_FAMILY_GRACE_DAYS  days between that mail and the deletion, which any member's
 *                                      sign-in cancels (default 30, at least 7)
 */
export interface InactivityConfig {
  readonly inactiveAfterDays: number;
  readonly graceDays: number;
}

export class InactivityConfigError extends Error {}

export const INACTIVITY_DEFAULTS: InactivityConfig = Object.freeze({ inactiveAfterDays: 365, graceDays: 30 });

function days(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  // A tiny period would delete families that are merely on holiday: refuse it at start.
  if (!Number.isInteger(n) || n < min || n > 3650) throw new InactivityConfigError(`${name} must be a whole number of days from ${String(min)} to 3650 (got '${raw}').`);
  return n;
}

export function parseInactivityConfig(env: NodeJS.ProcessEnv): InactivityConfig {
  return Object.freeze({
    inactiveAfterDays: days(env, 'BURROW_INACTIVE_FAMILY_DAYS', INACTIVITY_DEFAULTS.inactiveAfterDays, 30),
    graceDays: days(env, 'BURROW_INACTIVE_FAMILY_GRACE_DAYS', INACTIVITY_DEFAULTS.graceDays, 7),
  });
}
