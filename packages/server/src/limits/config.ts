/**
 * The limits' configuration section (composed by load-config.ts). A leaf: imports only config.ts.
 *
 * - BURROW_RATE_LIMIT_GLOBAL, _SIGN_UP, _LOG_IN, _REGISTER_TOY, _LOOKUP_PAIRING, _REDEEM_INVITATION:
 *   the per-address rules, each `MAX/WINDOW` (e.g. `20/1m`); unset: today's values
 *   (defaultRateLimits). `0/…` turns a rule off, which `burrow doctor` flags.
 *
 * - BURROW_REDIS_URL unset: rate-limit counters live in each process (one node).
 * - BURROW_REDIS_URL=redis://[:password@]host:6379[/db] (or rediss:// for TLS): every node counts in
 *   the same Redis, so a limit holds across nodes instead of multiplying by their number.
 * - BURROW_REDIS_KEY_PREFIX (default `burrow:`): the keys' first characters, so deployments can share
 *   one Redis.
 */

import { defaultRateLimits, parseRateRule, RATE_LIMIT_ENV, type RateLimits } from '../config.js';

/** The rules counted per client address (the per-device send rate is the messages' section). */
export type AddressRateLimits = Omit<RateLimits, 'sendMessage'>;

/** Reads the per-address rate-limit rules; throws ConfigError naming the variable. */
export function parseAddressRateLimits(env: NodeJS.ProcessEnv): AddressRateLimits {
  const rule = (key: keyof AddressRateLimits) =>
    parseRateRule(RATE_LIMIT_ENV[key], env[RATE_LIMIT_ENV[key]], defaultRateLimits[key]);
  return Object.freeze({
    global: rule('global'),
    signUp: rule('signUp'),
    logIn: rule('logIn'),
    registerToy: rule('registerToy'),
    lookupPairing: rule('lookupPairing'),
    redeemInvitation: rule('redeemInvitation'),
  });
}

export interface LimitsConfig {
  /** The whole URL, password included, for the client only: never logged. Null: in-process limits. */
  readonly redisUrl: string | null;
  readonly keyPrefix: string;
}

export const DEFAULT_KEY_PREFIX = 'burrow:';

/** A bad limits setting; load-config.ts turns it into a ConfigError. */
export class LimitsConfigError extends Error {}

/** Reads BURROW_REDIS_URL and BURROW_REDIS_KEY_PREFIX. */
export function parseLimitsConfig(env: NodeJS.ProcessEnv): LimitsConfig {
  const url = env.BURROW_REDIS_URL?.trim() ?? '';
  const keyPrefix = env.BURROW_REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX;
  if (!/^[\x21-\x7e]{1,64}$/.test(keyPrefix))
    throw new LimitsConfigError(
      'BURROW_REDIS_KEY_PREFIX must be 1 to 64 printable characters without spaces (e.g. burrow:).',
    );
  if (url === '') return Object.freeze({ redisUrl: null, keyPrefix });
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below without echoing the URL, which may hold a password.
  }
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '')
    throw new LimitsConfigError(
      'BURROW_REDIS_URL must be redis://[:password@]host:port[/db] or rediss://… for TLS.',
    );
  return Object.freeze({ redisUrl: url, keyPrefix });
}
