/**
 * The one place the configuration is put together: the core (config.ts) and each capability's own
 * section, parsed from the environment once at start into a frozen, typed Config. Sections are
 * leaves in their capability's folder — anomalies/config.ts (thresholds, audit retention, /metrics),
 * backup/config.ts (the in-process schedule), tripwires/config.ts (alerts, honeywords, canaries) —
 * so a capability owns its settings and nothing has to import a capability to read the config.
 */
import { parseWatchConfig, WatchConfigError, type WatchConfig } from './anomalies/config.js';
import { BackupScheduleError, parseBackupSchedule, type BackupScheduleConfig } from './backup/config.js';
import { BusConfigError, parseBusConfig, type BusConfig } from './bus/config.js';
import { AdmissionConfigError, parseAdmissionConfig, type AdmissionConfig } from './http/admission-config.js';
import { InactivityConfigError, parseInactivityConfig, type InactivityConfig } from './inactivity/config.js';
import { LimitsConfigError, parseAddressRateLimits, parseLimitsConfig, type LimitsConfig } from './limits/config.js';
import { parseMessagesConfig } from './messages/config.js';
import { ConfigError, parseCoreConfig, unsetCoreDeployment, type CoreConfig } from './config.js';
import { parseTripwiresConfig, unsetTripwires, type TripwiresConfig } from './tripwires/config.js';
import { parseUpdatesConfig, UpdatesConfigError, type UpdatesConfig } from './updates/config.js';
import { parseSecurityTxtConfig, SecurityTxtConfigError, type SecurityTxtConfig } from './well-known/config.js';

export * from './config.js';
export { honeycheckerDirOf } from './tripwires/config.js';

/** The whole server configuration: the core plus every capability's section. */
export interface Config extends CoreConfig {
  /** Tripwires: operator alerts, canaries, honeywords and the honeychecker (docs/security.md "Tripwires"). */
  readonly tripwires: TripwiresConfig;
  /** Audit trail retention, anomaly thresholds, /metrics access (anomalies/config.ts); defaults when absent. */
  readonly watch?: WatchConfig;
  /** In-process scheduled backups (`serve --backup-every`, backup/config.ts); null or absent: none. */
  readonly backupSchedule?: BackupScheduleConfig | null;
  /** The bus carrying wake-ups (bus/config.ts): in-process, or NATS with BURROW_NATS_URL; absent: in-process. */
  readonly bus?: BusConfig;
  /** Where rate-limit counters live (limits/config.ts): in-process, or Redis with BURROW_REDIS_URL; absent: in-process. */
  readonly limits?: LimitsConfig;
  /** Durable writes a node works on at once before answering 503 (http/admission-config.ts); absent: the defaults. */
  readonly admission?: AdmissionConfig;
  /** Toy update uploads over HTTP (updates/config.ts); absent: CLI uploads only. */
  readonly updates?: UpdatesConfig;
  /** /.well-known/security.txt (well-known/config.ts); absent: the defaults. */
  readonly securityTxt?: SecurityTxtConfig;
  /** Inactive families: when they are warned and deleted (default: INACTIVITY_DEFAULTS). */
  readonly inactivity?: InactivityConfig;
}

/** The deployment fields as an unset environment gives them: for tests that build a Config by hand. */
export const unsetDeployment = Object.freeze({ ...unsetCoreDeployment, tripwires: unsetTripwires });

/** A section's own error becomes a ConfigError: callers handle one kind ("Burrow cannot start: …"). */
function section<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof WatchConfigError || err instanceof BackupScheduleError || err instanceof UpdatesConfigError || err instanceof SecurityTxtConfigError) throw new ConfigError(err.message);
    if (err instanceof BusConfigError || err instanceof LimitsConfigError || err instanceof AdmissionConfigError) throw new ConfigError(err.message);
    if (err instanceof InactivityConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * Parses the environment (default `process.env`) and the `serve` flags into a frozen Config;
 * throws ConfigError with a fix.
 */
export function parseConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  const watch = section(() => parseWatchConfig(env));
  const backupSchedule = section(() => parseBackupSchedule(env, argv));
  const updates = section(() => parseUpdatesConfig(env));
  const securityTxt = section(() => parseSecurityTxtConfig(env));
  const bus = section(() => parseBusConfig(env));
  const limits = section(() => parseLimitsConfig(env));
  const admission = section(() => parseAdmissionConfig(env));
  const inactivity = section(() => parseInactivityConfig(env));
  // The limits live in the core's `rateLimits` and `familyStorageBytes`, as every route reads them;
  // each capability parses its own: per-address rules (limits/), the send rate and quota (messages/).
  const addressRates = section(() => parseAddressRateLimits(env));
  const messages = section(() => parseMessagesConfig(env));
  const core = {
    ...parseCoreConfig(env),
    rateLimits: Object.freeze({ ...addressRates, sendMessage: messages.sendMessage }),
    familyStorageBytes: messages.familyStorageBytes,
  };
  return Object.freeze({ ...core, tripwires: parseTripwiresConfig(env), watch, backupSchedule, updates, securityTxt, bus, limits, admission, inactivity });
}
