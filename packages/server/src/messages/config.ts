/**
 * The messages' configuration section (composed by load-config.ts). A leaf: imports only config.ts.
 *
 * - BURROW_RATE_LIMIT_SEND_MESSAGE (default `60/10m`): messages one sending device may send per
 *   window, counted in the database so it holds across nodes. `0/…` turns it off.
 * - BURROW_FAMILY_STORAGE_MIB (default 1024): a family's stored ciphertext, in MiB. 0 turns the quota off.
 *
 * Turning either off is allowed for a test installation; `burrow doctor` flags it, and so production
 * refuses to start on it.
 */
import {
  ConfigError,
  defaultRateLimits,
  parseIntegerSetting,
  parseRateRule,
  RATE_LIMIT_ENV,
  type RateLimitRule,
} from '../config.js';

/** 1 GiB of ciphertext per family: about 20,000 one-minute messages. */
export const DEFAULT_FAMILY_STORAGE_BYTES = 1024 * 1024 * 1024;

const MIB = 1024 * 1024;

export interface MessagesConfig {
  /** Messages per sending device per window; max 0: no limit. */
  readonly sendMessage: RateLimitRule;
  /** A family's quota in bytes; 0: no quota. */
  readonly familyStorageBytes: number;
}

/** Reads BURROW_RATE_LIMIT_SEND_MESSAGE and BURROW_FAMILY_STORAGE_MIB; throws ConfigError naming the variable. */
export function parseMessagesConfig(env: NodeJS.ProcessEnv): MessagesConfig {
  const sendMessage = parseRateRule(
    RATE_LIMIT_ENV.sendMessage,
    env[RATE_LIMIT_ENV.sendMessage],
    defaultRateLimits.sendMessage,
  );
  const raw = env.BURROW_FAMILY_STORAGE_MIB?.trim();
  if (raw !== undefined && raw !== '' && !/^\d+$/.test(raw))
    throw new ConfigError(
      'BURROW_FAMILY_STORAGE_MIB must be a whole number of MiB (e.g. 1024 for 1 GiB; 0 turns the quota off).',
    );
  // Up to 16 TiB: past that the byte count would leave the integers a double holds exactly.
  const mib = parseIntegerSetting(
    'BURROW_FAMILY_STORAGE_MIB',
    raw,
    DEFAULT_FAMILY_STORAGE_BYTES / MIB,
    0,
    16 * 1024 * 1024,
  );
  return Object.freeze({ sendMessage, familyStorageBytes: mib * MIB });
}
