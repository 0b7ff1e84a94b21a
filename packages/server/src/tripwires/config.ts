/**
 * The tripwires' section of the configuration (docs/security.md "Tripwires"): where operator alerts
 * go, the honeychecker's folder and secret, honeywords per password and the canaries to plant.
 * Parsed here from the environment; load-config.ts puts it into the frozen Config.
 */
import { resolve } from 'node:path';
import { ConfigError, parseIntegerSetting } from '../config.js';
import { checkToken, parseHoneycheckerUrl } from '../honeychecker/config.js';

export interface TripwiresConfig {
  /** BURROW_OPERATOR_EMAIL: where operator alerts are mailed (without SMTP: the outbox folder). */
  readonly operatorEmail: string;
  /** BURROW_HONEYCHECKER_DIR: the honeychecker's own folder; null = `<dataDir>-honeychecker` (honeycheckerDirOf). */
  readonly honeycheckerDir: string | null;
  /** BURROW_HONEYCHECKER_SECRET: the honeychecker's HMAC key; null = generated in its folder (development only). */
  readonly honeycheckerSecret: string | null;
  /** BURROW_HONEYCHECKER_URL: the honeychecker service (`burrow honeychecker serve`); null = the local store. */
  readonly honeycheckerUrl: string | null;
  /** BURROW_HONEYCHECKER_TOKEN: the key requests to that service are signed with (shared with it). */
  readonly honeycheckerToken: string | null;
  /** BURROW_HONEYWORDS: k, the number of sweetwords per password (1 real + k-1 decoys); 1 = off. */
  readonly honeywords: number;
  /** BURROW_CANARY_ACCOUNTS: canary accounts to plant (0 = none). */
  readonly canaryAccounts: number;
  /** BURROW_CANARY_DOMAINS: mail domains of canary accounts; empty = the operator address's domain. */
  readonly canaryDomains: readonly string[];
}

/** The tripwire settings an unset environment gives (tests that build a Config by hand start here). */
export const unsetTripwires: TripwiresConfig = Object.freeze({
  operatorEmail: 'operator@burrow.localhost',
  honeycheckerDir: null,
  honeycheckerSecret: null,
  honeycheckerUrl: null,
  honeycheckerToken: null,
  honeywords: 20,
  canaryAccounts: 3,
  canaryDomains: Object.freeze<string[]>([]),
});

/** Reads BURROW_OPERATOR_EMAIL, BURROW_HONEYCHECKER_* (URL + TOKEN together), BURROW_HONEYWORDS and BURROW_CANARY_*; throws ConfigError with a fix. */
export function parseTripwiresConfig(env: NodeJS.ProcessEnv): TripwiresConfig {
  const operatorEmail = env.BURROW_OPERATOR_EMAIL || unsetTripwires.operatorEmail;
  if (!/^[^\s@]+@[^\s@]+$/.test(operatorEmail)) throw new ConfigError('BURROW_OPERATOR_EMAIL must be one email address.');
  const domains = (env.BURROW_CANARY_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase()).filter((d) => d !== '');
  for (const d of domains)
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) throw new ConfigError('BURROW_CANARY_DOMAINS must be mail domains separated by commas.');
  const honeycheckerUrl = env.BURROW_HONEYCHECKER_URL || null;
  const honeycheckerToken = env.BURROW_HONEYCHECKER_TOKEN || null;
  if (honeycheckerUrl !== null) {
    if (!parseHoneycheckerUrl(honeycheckerUrl))
      throw new ConfigError('BURROW_HONEYCHECKER_URL must be http://host:port or unix:/absolute/path/to/socket (`burrow honeychecker serve`).');
    checkToken(honeycheckerToken);
  }
  return Object.freeze({
    operatorEmail,
    honeycheckerUrl,
    honeycheckerToken,
    honeycheckerDir: env.BURROW_HONEYCHECKER_DIR ? resolve(env.BURROW_HONEYCHECKER_DIR) : null,
    honeycheckerSecret: env.BURROW_HONEYCHECKER_SECRET || null,
    honeywords: parseIntegerSetting('BURROW_HONEYWORDS', env.BURROW_HONEYWORDS, unsetTripwires.honeywords, 1, 64),
    canaryAccounts: parseIntegerSetting('BURROW_CANARY_ACCOUNTS', env.BURROW_CANARY_ACCOUNTS, unsetTripwires.canaryAccounts, 0, 50),
    canaryDomains: Object.freeze(domains),
  });
}

/** Where the honeychecker lives: BURROW_HONEYCHECKER_DIR, else a sibling of the data folder. */
export function honeycheckerDirOf(config: { readonly dataDir: string; readonly tripwires: TripwiresConfig }): string {
  return config.tripwires.honeycheckerDir ?? `${config.dataDir.replace(/\/+$/, '')}-honeychecker`;
}

/** Canary accounts' mail domains: BURROW_CANARY_DOMAINS, else the operator address's domain. */
export function canaryDomains(config: { readonly tripwires: TripwiresConfig }): readonly string[] {
  if (config.tripwires.canaryDomains.length > 0) return config.tripwires.canaryDomains;
  return [config.tripwires.operatorEmail.split('@')[1] ?? 'burrow.localhost'];
}
