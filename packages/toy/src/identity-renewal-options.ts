/**
 * The headless toy's identity renewal schedule (docs/protocol.md §17.6) from its command line or
 * environment: `--identity-renewal-days` / BURROW_TOY_IDENTITY_RENEWAL_DAYS, in days (fractions
 * allowed for a test rig). Default off: the identity key opens no message (forward secrecy is the KEM
 * rotation's, §14), and each renewal is a roster change a guardian's device must be online to make;
 * a maker who wants a periodic renewal sets e.g. 365.
 */
const DAY = 24 * 60 * 60 * 1000;
const MIN_MS = 60 * 1000;
const MAX_MS = 10 * 365 * DAY;

export function identityRenewalFromOptions(
  values: { 'identity-renewal-days'?: string },
  env: Record<string, string | undefined>,
): { intervalMs: number | undefined } | { error: string } {
  const text = values['identity-renewal-days'] ?? env.BURROW_TOY_IDENTITY_RENEWAL_DAYS;
  if (text === undefined || text === '' || text === 'off') return { intervalMs: undefined };
  const ms = Math.round(Number(text) * DAY);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS)
    return { error: `--identity-renewal-days must be 'off' or a number of days between ${MIN_MS / DAY} (one minute) and 3650, not '${text}'.` };
  return { intervalMs: ms };
}
