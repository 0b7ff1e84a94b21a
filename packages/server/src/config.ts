/**
 * Server configuration, parsed once from the environment into a frozen, typed object (no module reads
 * `process.env` anywhere else). Secrets never appear in errors or logs: the database URL is kept whole
 * for the driver, and `describeConfig` prints it without its password.
 */
import { resolve, join } from 'node:path';

export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

/** A fixed window: at most `max` requests per `windowMs` per client address. */
export interface RateLimitRule {
  readonly max: number;
  readonly windowMs: number;
}

export interface RateLimits {
  /** Every route without its own rule (the WebSocket stream has none at all). */
  readonly global: RateLimitRule;
  readonly signUp: RateLimitRule;
  readonly logIn: RateLimitRule;
  readonly registerToy: RateLimitRule;
  readonly lookupPairing: RateLimitRule;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly tls: { readonly certPath: string; readonly keyPath: string } | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly rateLimits: RateLimits;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MINUTE = 60_000;

export const defaultRateLimits: RateLimits = Object.freeze({
  global: Object.freeze({ max: 600, windowMs: MINUTE }),
  signUp: Object.freeze({ max: 20, windowMs: MINUTE }),
  logIn: Object.freeze({ max: 30, windowMs: MINUTE }),
  registerToy: Object.freeze({ max: 20, windowMs: MINUTE }),
  lookupPairing: Object.freeze({ max: 30, windowMs: MINUTE }),
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535 (got "${value}").`);
  }
  return port;
}

function parseDatabase(url: string | undefined, dataDir: string): DatabaseConfig {
  if (url === undefined || url === '') return { kind: 'sqlite', path: join(dataDir, 'burrow.db') };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  // The value may hold a password: name the variable, never echo it.
  throw new ConfigError(
    'BURROW_DATABASE_URL must start with postgres:// or postgresql:// (or be unset for SQLite).',
  );
}

function parseTls(cert: string | undefined, key: string | undefined): Config['tls'] {
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError('Set both BURROW_TLS_CERT and BURROW_TLS_KEY (paths to PEM files), or neither.');
  return { certPath: resolve(cert), keyPath: resolve(key) };
}

function parseLogLevel(value: string | undefined): Config['logLevel'] {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new ConfigError(`BURROW_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  return level;
}

/** Parses the environment (default `process.env`) into a frozen Config; throws ConfigError with a fix. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.BURROW_DATA_DIR || './data');
  return Object.freeze({
    port: parsePort(env.PORT),
    host: env.HOST || '0.0.0.0',
    dataDir,
    database: Object.freeze(parseDatabase(env.BURROW_DATABASE_URL, dataDir)),
    tls: parseTls(env.BURROW_TLS_CERT, env.BURROW_TLS_KEY),
    logLevel: parseLogLevel(env.BURROW_LOG_LEVEL),
    rateLimits: defaultRateLimits,
  });
}

/** The config as it may be logged: the database URL loses its password. */
export function describeConfig(config: Config): Record<string, unknown> {
  let database: string = config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : 'postgres';
  if (config.database.kind === 'postgres') {
    try {
      const u = new URL(config.database.url);
      if (u.password) u.password = '***';
      database = u.toString();
    } catch {
      database = 'postgres (unparseable URL)';
    }
  }
  return {
    port: config.port,
    host: config.host,
    dataDir: config.dataDir,
    database,
    tls: config.tls !== null,
    logLevel: config.logLevel,
  };
}
