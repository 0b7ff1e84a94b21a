/**
 * The core of the server configuration: listening, storage, secrets, mail, account security and
 * password-hashing cost, parsed from the environment. A leaf: it imports nothing of ours, so every
 * module may use it. Capabilities parse their own sections (anomalies/config.ts, backup/config.ts,
 * tripwires/config.ts) and load-config.ts composes the frozen Config once at start (no module reads
 * `process.env` anywhere else). Secrets never appear in errors or logs: the database URL is kept
 * whole for the driver, and `describeConfig` prints it without its password.
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
  readonly redeemInvitation: RateLimitRule;
  /** Per sending device (not per address), counted in the database so it holds across nodes. */
  readonly sendMessage: RateLimitRule;
}

/** The core settings (load-config.ts's Config adds the capabilities' sections). */
export interface CoreConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly tls: { readonly certPath: string; readonly keyPath: string } | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly rateLimits: RateLimits;
  /** Per-family storage quota (blob bytes); DEFAULT_FAMILY_STORAGE_BYTES when unset. */
  readonly familyStorageBytes?: number;
  /** NODE_ENV=production (or `--production`): start-up refuses on any doctor finding (docs/operations.md). */
  readonly production: boolean;
  /** BURROW_TRUST_PROXY: the address(es) of the TLS-terminating proxy in front of us, or null. */
  readonly trustProxy: string | null;
  readonly blobStore: BlobStoreConfig;
  /** Server secrets; null when unset. `burrow doctor` checks their length and that they are not examples. */
  readonly secrets: { readonly sessionKey: string | null; readonly pepper: string | null };
  /** BURROW_SMTP_URL (smtp:// or smtps://); null means mail is only written to the outbox folder. */
  readonly smtpUrl: string | null;
  /** Account security (issue 5, docs/security.md). */
  readonly accountSecurity: AccountSecurityConfig;
  /** argon2id cost of password hashes (and of each honeyword): BURROW_ARGON2_*; OWASP's minimum by default. */
  readonly argon2: Argon2Config;
}

/**
 * argon2id cost parameters (RFC 9106). Security costs are configuration so that ordinary test servers
 * can hash cheaply while production, and the tests of hashing itself, pay the real price; `burrow
 * doctor` refuses values under OWASP's minimum (doctor/config-checks.ts).
 */
export interface Argon2Config {
  /** BURROW_ARGON2_MEMORY_KIB: memory per hash in KiB (default 19456 = 19 MiB). */
  readonly memoryKib: number;
  /** BURROW_ARGON2_TIME_COST: passes over that memory (default 2). */
  readonly timeCost: number;
  /** BURROW_ARGON2_PARALLELISM: lanes (default 1). */
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet's first argon2id configuration: m = 19 MiB, t = 2, p = 1. */
export const defaultArgon2: Argon2Config = Object.freeze({ memoryKib: 19456, timeCost: 2, parallelism: 1 });

/** Reads BURROW_ARGON2_MEMORY_KIB, _TIME_COST and _PARALLELISM (argon2's own bounds; doctor judges strength). */
export function parseArgon2(env: NodeJS.ProcessEnv): Argon2Config {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError(`${name} must be an integer from ${String(min)} to ${String(max)}.`);
    return n;
  };
  const parallelism = read('BURROW_ARGON2_PARALLELISM', defaultArgon2.parallelism, 1, 16);
  return Object.freeze({
    // argon2 needs at least 8 KiB per lane; 4 GiB is far past any sensible server setting.
    memoryKib: read('BURROW_ARGON2_MEMORY_KIB', defaultArgon2.memoryKib, 8 * parallelism, 4 * 1024 * 1024),
    timeCost: read('BURROW_ARGON2_TIME_COST', defaultArgon2.timeCost, 1, 100),
    parallelism,
  });
}

export interface AccountSecurityConfig {
  /** BURROW_PWNED_PASSWORDS: base URL of a Pwned Passwords range API ("on" = the public one); null = off. */
  readonly pwnedPasswordsUrl: string | null;
  /** BURROW_PUBLIC_URL: the origin people reach Burrow at (links in mail, Origin check); null = from the request. */
  readonly publicUrl: string | null;
  /** BURROW_MAIL_FROM: the From of account mail. */
  readonly mailFrom: string;
}

/** Where blobs live: files under <dataDir>/blobs (default) or an S3-compatible bucket. */
export type BlobStoreConfig =
  | { readonly kind: 'fs' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** null: AWS's own endpoint for the region. */
      readonly endpoint: string | null;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
    };

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
  redeemInvitation: Object.freeze({ max: 30, windowMs: MINUTE }),
  sendMessage: Object.freeze({ max: 60, windowMs: 10 * MINUTE }),
});

/** The variable that sets each rule (README's configuration table, docs/operations.md "Limits"). */
export const RATE_LIMIT_ENV: Readonly<Record<keyof RateLimits, string>> = Object.freeze({
  global: 'BURROW_RATE_LIMIT_GLOBAL',
  signUp: 'BURROW_RATE_LIMIT_SIGN_UP',
  logIn: 'BURROW_RATE_LIMIT_LOG_IN',
  registerToy: 'BURROW_RATE_LIMIT_REGISTER_TOY',
  lookupPairing: 'BURROW_RATE_LIMIT_LOOKUP_PAIRING',
  redeemInvitation: 'BURROW_RATE_LIMIT_REDEEM_INVITATION',
  sendMessage: 'BURROW_RATE_LIMIT_SEND_MESSAGE',
});

/** The core deployment fields as an unset environment gives them (load-config.ts's unsetDeployment adds the sections). */
export const unsetCoreDeployment = Object.freeze({
  production: false,
  trustProxy: null,
  blobStore: Object.freeze({ kind: 'fs' as const }),
  secrets: Object.freeze({ sessionKey: null, pepper: null }),
  smtpUrl: null,
  accountSecurity: Object.freeze({
    pwnedPasswordsUrl: null,
    publicUrl: null,
    mailFrom: 'Burrow <no-reply@burrow.localhost>',
  }),
  argon2: defaultArgon2,
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

function parseTls(cert: string | undefined, key: string | undefined): CoreConfig['tls'] {
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError('Set both BURROW_TLS_CERT and BURROW_TLS_KEY (paths to PEM files), or neither.');
  return { certPath: resolve(cert), keyPath: resolve(key) };
}

function parseLogLevel(value: string | undefined): CoreConfig['logLevel'] {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new ConfigError(`BURROW_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  return level;
}

function parseBlobStore(env: NodeJS.ProcessEnv): BlobStoreConfig {
  const bucket = env.BURROW_S3_BUCKET;
  if (!bucket) return { kind: 'fs' };
  const accessKeyId = env.BURROW_S3_ACCESS_KEY_ID ?? '';
  const secretAccessKey = env.BURROW_S3_SECRET_ACCESS_KEY ?? '';
  if (!accessKeyId || !secretAccessKey)
    throw new ConfigError('With BURROW_S3_BUCKET set, also set BURROW_S3_ACCESS_KEY_ID and BURROW_S3_SECRET_ACCESS_KEY.');
  return Object.freeze({
    kind: 's3',
    bucket,
    endpoint: env.BURROW_S3_ENDPOINT || null,
    region: env.BURROW_S3_REGION || 'us-east-1',
    accessKeyId,
    secretAccessKey,
  });
}

function parseSmtpUrl(value: string | undefined): string | null {
  if (!value) return null;
  if (!value.startsWith('smtp://') && !value.startsWith('smtps://'))
    throw new ConfigError('BURROW_SMTP_URL must start with smtp:// or smtps:// (or be unset).');
  return value;
}

function parseAccountSecurity(env: NodeJS.ProcessEnv): AccountSecurityConfig {
  const pwned = env.BURROW_PWNED_PASSWORDS;
  let pwnedPasswordsUrl: string | null = null;
  if (pwned === 'on') pwnedPasswordsUrl = 'https://api.pwnedpasswords.com';
  else if (pwned && pwned !== 'off') {
    if (!/^https?:\/\/[^\s]+$/.test(pwned))
      throw new ConfigError('BURROW_PWNED_PASSWORDS must be "on", "off" or the base URL of a Pwned Passwords range API.');
    pwnedPasswordsUrl = pwned;
  }
  const publicUrl = env.BURROW_PUBLIC_URL || null;
  if (publicUrl !== null) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw new ConfigError('BURROW_PUBLIC_URL must be an http(s) origin such as https://burrow.example.org.');
    }
  }
  const mailFrom = env.BURROW_MAIL_FROM || 'Burrow <no-reply@burrow.localhost>';
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('BURROW_MAIL_FROM must be one line.');
  return Object.freeze({ pwnedPasswordsUrl, publicUrl: publicUrl === null ? null : new URL(publicUrl).origin, mailFrom });
}

/** An integer setting within [min, max]; unset or empty gives `fallback`. For the capabilities' sections too. */
export function parseIntegerSetting(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${String(min)} to ${String(max)}.`);
  return n;
}

const WINDOW_UNITS: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE };

/**
 * A rate-limit rule from the environment, `MAX/WINDOW` with the window in s, m or h (`20/1m`, `60/10m`);
 * unset or empty gives `fallback`. MAX 0 means no limit at all (`burrow doctor` flags it, and so
 * production refuses to start on it); the window runs from 1 s to 24 h. For the capabilities' sections.
 */
export function parseRateRule(name: string, value: string | undefined, fallback: RateLimitRule): RateLimitRule {
  const raw = value?.trim();
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d{1,10})\/(\d{1,6})([smh])$/.exec(raw);
  const max = m ? Number(m[1]) : NaN;
  const windowMs = m ? Number(m[2]) * WINDOW_UNITS[m[3]!]! : NaN;
  if (!m || max > 1_000_000_000 || windowMs < 1000 || windowMs > 24 * 60 * MINUTE)
    throw new ConfigError(
      `${name} must be MAX/WINDOW: requests allowed per window, the window in s, m or h from 1s to 24h (e.g. 20/1m; 0/1m turns the limit off), not "${raw.slice(0, 40)}".`,
    );
  return Object.freeze({ max, windowMs });
}

/** Parses the core settings from the environment; throws ConfigError with a fix. Not frozen: load-config.ts freezes the whole. */
export function parseCoreConfig(env: NodeJS.ProcessEnv): CoreConfig {
  const dataDir = resolve(env.BURROW_DATA_DIR || './data');
  return {
    port: parsePort(env.PORT),
    host: env.HOST || '0.0.0.0',
    dataDir,
    database: Object.freeze(parseDatabase(env.BURROW_DATABASE_URL, dataDir)),
    tls: parseTls(env.BURROW_TLS_CERT, env.BURROW_TLS_KEY),
    logLevel: parseLogLevel(env.BURROW_LOG_LEVEL),
    rateLimits: defaultRateLimits,
    production: env.NODE_ENV === 'production',
    trustProxy: env.BURROW_TRUST_PROXY || null,
    blobStore: parseBlobStore(env),
    secrets: Object.freeze({
      sessionKey: env.BURROW_SESSION_KEY || null,
      pepper: env.BURROW_PEPPER || null,
    }),
    smtpUrl: parseSmtpUrl(env.BURROW_SMTP_URL),
    accountSecurity: parseAccountSecurity(env),
    argon2: parseArgon2(env),
  };
}

/** The config as it may be logged: the database URL loses its password. */
export function describeConfig(config: CoreConfig): Record<string, unknown> {
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
    production: config.production,
    trustProxy: config.trustProxy,
    blobStore: config.blobStore.kind === 's3' ? `s3:${config.blobStore.bucket}` : 'fs',
    mail: config.smtpUrl ? 'smtp' : 'outbox',
  };
}
