/**
 * Doctor checks that read only the configuration: TLS on the listener, secrets, mail, and what the
 * database URL says about credentials and transport security.
 */
import {
  defaultRateLimits,
  RATE_LIMIT_ENV,
  type Config,
  type RateLimitRule,
  type RateLimits,
} from '../load-config.js';
import { DEFAULT_FAMILY_STORAGE_BYTES } from '../messages/config.js';
import type { Finding } from './finding.js';

/** Secrets shorter than this are refused: 32 characters of `openssl rand -base64 32` hold 192 bits. */
export const MIN_SECRET_LENGTH = 32;

/**
 * Values that appear in examples (ours in docs/operations.md, and the usual placeholders). A secret
 * equal to one of them is as good as public.
 */
export const EXAMPLE_SECRETS: readonly string[] = [
  'change-me',
  'changeme',
  'secret',
  'password',
  'example',
  'replace-me-with-openssl-rand-base64-32',
  'this-is-an-example-secret-do-not-use-it',
  'burrow',
];

const GENERATE = 'generate one with `openssl rand -base64 32`';

function secretFinding(name: string, variable: string, value: string | null): Finding | null {
  const check = `secret-${name.replace(/ /g, '-')}`;
  if (value === null)
    return { check, problem: `The ${name} (${variable}) is not set.`, fix: `Set ${variable}: ${GENERATE}.` };
  const lowered = value.trim().toLowerCase();
  if (EXAMPLE_SECRETS.includes(lowered))
    return {
      check,
      problem: `The ${name} (${variable}) is an example value, known to anyone who read the docs.`,
      fix: `Replace ${variable} with a fresh random value: ${GENERATE}.`,
    };
  if (value.length < MIN_SECRET_LENGTH)
    return {
      check,
      problem: `The ${name} (${variable}) is ${String(value.length)} characters; at least ${String(MIN_SECRET_LENGTH)} are needed.`,
      fix: `Replace ${variable} with a longer random value: ${GENERATE}.`,
    };
  return null;
}

/** The host names and addresses that never leave this machine (a Unix socket path counts). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.startsWith('/');
}

/** The PostgreSQL host a URL reaches: `?host=` (a socket folder) wins over the authority, as in libpq. */
export function postgresHost(url: URL): string {
  return url.searchParams.get('host') ?? (url.hostname || 'localhost');
}

function postgresUsesTls(url: URL): boolean {
  const sslmode = url.searchParams.get('sslmode');
  const ssl = url.searchParams.get('ssl');
  return ['require', 'verify-ca', 'verify-full'].includes(sslmode ?? '') || ssl === 'true' || ssl === '1';
}

function databaseUrlFindings(config: Config): Finding[] {
  if (config.database.kind !== 'postgres') return [];
  let url: URL;
  try {
    url = new URL(config.database.url);
  } catch {
    return [
      {
        check: 'database-url',
        problem: 'BURROW_DATABASE_URL cannot be parsed as a URL.',
        fix: 'Write it as postgres://user:password@host:5432/database?sslmode=verify-full.',
      },
    ];
  }
  const findings: Finding[] = [];
  if (!url.password)
    findings.push({
      check: 'database-credentials',
      problem: 'BURROW_DATABASE_URL has no password: the database is reached without credentials.',
      fix: 'Give the Burrow role a password (ALTER ROLE burrow PASSWORD …), require scram-sha-256 in pg_hba.conf, and put user:password in BURROW_DATABASE_URL.',
    });
  const host = postgresHost(url);
  if (!isLoopbackHost(host) && !postgresUsesTls(url))
    findings.push({
      check: 'database-tls',
      problem: `PostgreSQL is reached at ${host}, off this machine, without TLS.`,
      fix: 'Enable ssl on the PostgreSQL server and add ?sslmode=verify-full (or require) to BURROW_DATABASE_URL.',
    });
  return findings;
}

/**
 * argon2id below OWASP's Password Storage Cheat Sheet: its equivalent configurations run from
 * m = 7 MiB, t = 5 to m = 46 MiB, t = 1, i.e. at least 7168 KiB and m × t ≥ 35,840 KiB-passes.
 */
function argon2Finding(config: Config): Finding | null {
  const { memoryKib, timeCost } = config.argon2;
  if (memoryKib >= 7168 && memoryKib * timeCost >= 35_840) return null;
  return {
    check: 'password-hashing',
    problem: `Passwords would be hashed with argon2id at m=${String(memoryKib)} KiB, t=${String(timeCost)}: cheap enough to crack stolen hashes quickly.`,
    fix: 'Unset BURROW_ARGON2_MEMORY_KIB and BURROW_ARGON2_TIME_COST (defaults: 19456 KiB, 2), or raise them.',
  };
}

/**
 * A limit more than this many times as generous as its default (per unit of time) no longer holds a
 * flood or a guessing run back: 100× the sign-up rule is 2,000 accounts a minute from one address.
 */
export const LIMIT_TOO_HIGH_FACTOR = 100;

const describeRule = (rule: RateLimitRule): string =>
  `${String(rule.max)} per ${String(rule.windowMs / 1000)} s`;

/** Rate limits and the family quota that are off (0) or so high they no longer protect anything. */
function limitFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  for (const key of Object.keys(RATE_LIMIT_ENV) as (keyof RateLimits)[]) {
    const rule = config.rateLimits[key];
    const fallback = defaultRateLimits[key];
    const variable = RATE_LIMIT_ENV[key];
    const fix = `Unset ${variable} (default ${String(fallback.max)}/${String(fallback.windowMs / 60_000)}m) or set a real limit.`;
    if (rule.max === 0)
      findings.push({
        check: 'rate-limit-off',
        problem: `The ${key} rate limit is turned off (${variable}=0/…).`,
        fix,
      });
    else if (rule.max / rule.windowMs > (LIMIT_TOO_HIGH_FACTOR * fallback.max) / fallback.windowMs)
      findings.push({
        check: 'rate-limit-too-high',
        problem: `The ${key} rate limit (${describeRule(rule)}) is more than ${String(LIMIT_TOO_HIGH_FACTOR)} times the default (${describeRule(fallback)}): it no longer holds a flood back.`,
        fix,
      });
  }
  const quota = config.familyStorageBytes ?? DEFAULT_FAMILY_STORAGE_BYTES;
  const quotaFix = `Unset BURROW_FAMILY_STORAGE_MIB (default ${String(DEFAULT_FAMILY_STORAGE_BYTES / 1024 ** 2)}) or set a real quota.`;
  if (quota === 0)
    findings.push({
      check: 'storage-quota-off',
      problem:
        'The family storage quota is turned off (BURROW_FAMILY_STORAGE_MIB=0): one family can fill the disk.',
      fix: quotaFix,
    });
  else if (quota > LIMIT_TOO_HIGH_FACTOR * DEFAULT_FAMILY_STORAGE_BYTES)
    findings.push({
      check: 'storage-quota-too-high',
      problem: `The family storage quota (${String(Math.round(quota / 1024 ** 3))} GiB) is more than ${String(LIMIT_TOO_HIGH_FACTOR)} times the default: one family can fill the disk.`,
      fix: quotaFix,
    });
  return findings;
}

/** Every finding that follows from the configuration alone. */
export function configFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.tls === null && config.trustProxy === null)
    findings.push({
      check: 'http-tls',
      problem:
        'HTTP is served without TLS and no trusted TLS proxy is configured: sessions would travel in clear.',
      fix: 'Set BURROW_TLS_CERT and BURROW_TLS_KEY, or terminate TLS in a proxy and set BURROW_TRUST_PROXY to its address.',
    });
  for (const f of [
    secretFinding('session key', 'BURROW_SESSION_KEY', config.secrets.sessionKey),
    secretFinding('pepper', 'BURROW_PEPPER', config.secrets.pepper),
  ])
    if (f) findings.push(f);
  if (config.smtpUrl === null)
    findings.push({
      check: 'mail',
      problem:
        'Mail is not configured: incident notices and alerts would only be written to the outbox folder.',
      fix: 'Set BURROW_SMTP_URL to your relay, e.g. smtps://user:password@smtp.example.com:465.',
    });
  findings.push(...databaseUrlFindings(config));
  const hashing = argon2Finding(config);
  if (hashing) findings.push(hashing);
  findings.push(...limitFindings(config));
  return findings;
}
