/**
 * The limits' configuration section (composed by load-config.ts). A leaf: imports nothing of ours.
 *
 * - BURROW_REDIS_URL unset: rate-limit counters live in each process (one node).
 * - BURROW_REDIS_URL=redis://[:password@]host:6379[/db] (or rediss:// for TLS): every node counts in
 *   the same Redis, so a limit holds across nodes instead of multiplying by their number.
 * - BURROW_REDIS_KEY_PREFIX (default `burrow:`): the keys' first characters, so deployments can share
 *   one Redis.
 */

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
    throw new LimitsConfigError('BURROW_REDIS_KEY_PREFIX must be 1 to 64 printable characters without spaces (e.g. burrow:).');
  if (url === '') return Object.freeze({ redisUrl: null, keyPrefix });
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below without echoing the URL, which may hold a password.
  }
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '')
    throw new LimitsConfigError('BURROW_REDIS_URL must be redis://[:password@]host:port[/db] or rediss://… for TLS.');
  return Object.freeze({ redisUrl: url, keyPrefix });
}
