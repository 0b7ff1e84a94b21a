/**
 * The honeychecker's secret: its HMAC key, separate from every other secret so that the login
 * server's secrets (session key, pepper) and the honeychecker's can live on different hosts.
 *
 * - `BURROW_HONEYCHECKER_SECRET` (at least 32 characters) in production; doctor refuses without it.
 * - In development, if unset, one is generated once into `<honeychecker dir>/secret` (0600), and a
 *   log line says so, never the value.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';

export const HONEYCHECKER_SECRET_MIN_LENGTH = 32;
export const HONEYCHECKER_SECRET_FILE = 'secret';

export function resolveHoneycheckerSecret({
  dir,
  configured,
  production,
  log,
}: {
  dir: string;
  configured: string | null;
  production: boolean;
  log?: Logger;
}): string {
  if (configured !== null) {
    if (configured.length < HONEYCHECKER_SECRET_MIN_LENGTH)
      throw new ConfigError(
        'BURROW_HONEYCHECKER_SECRET must be at least 32 characters; make one with `openssl rand -base64 32`.',
      );
    return configured;
  }
  if (production)
    throw new ConfigError(
      'Set BURROW_HONEYCHECKER_SECRET (`openssl rand -base64 32`), kept apart from the database and its backups.',
    );
  const file = join(dir, HONEYCHECKER_SECRET_FILE);
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < HONEYCHECKER_SECRET_MIN_LENGTH)
      throw new ConfigError(`${file} holds a honeychecker secret that is too short.`);
    return value;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (a second node, the CLI) made it first: use theirs.
    if ((err as { code?: unknown }).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  chmodSync(file, 0o600);
  log?.warn(
    { file },
    'BURROW_HONEYCHECKER_SECRET is unset: generated a development secret beside the honeychecker (0600); set it in production',
  );
  return value;
}
