/**
 * The server-side pepper: a secret kept outside the database and given to argon2id as its secret
 * input (RFC 9106 §3.1, "K"), so a dump of the database alone cannot be attacked offline.
 *
 * - `BURROW_PEPPER` (at least 32 characters) in production — the server refuses to start without it.
 * - In development, if unset, one is generated once and kept in `<dataDir>/pepper` (0600), and a
 *   log line says so (never the value). Losing it makes every password unverifiable: back it up
 *   with the database, but never in the same place.
 *
 * The pepper id (first 16 hex of SHA-256 over a label and the pepper) is stored with each hash, so
 * a hash made with another pepper, or none, is recognised and rehashed at the next sign-in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type CoreConfig } from '../config.js';

export const PEPPER_MIN_LENGTH = 32;

export interface Pepper {
  readonly secret: Buffer;
  readonly id: string;
}

function pepperOf(value: string): Pepper {
  const secret = Buffer.from(value, 'utf8');
  const id = createHash('sha256').update('burrow pepper id\0').update(secret).digest('hex').slice(0, 16);
  return Object.freeze({ secret, id });
}

export function resolvePepper({
  config,
  log,
}: {
  config: Pick<CoreConfig, 'dataDir' | 'production' | 'secrets'>;
  log?: Logger;
}): Pepper {
  const configured = config.secrets.pepper;
  if (configured !== null) {
    if (configured.length < PEPPER_MIN_LENGTH)
      throw new ConfigError(
        `BURROW_PEPPER must be at least ${PEPPER_MIN_LENGTH} characters; make one with \`openssl rand -base64 48\`.`,
      );
    return pepperOf(configured);
  }
  if (config.production)
    throw new ConfigError(
      'Set BURROW_PEPPER (at least 32 random characters, e.g. `openssl rand -base64 48`) and keep it outside the database and its backups.',
    );
  const file = join(config.dataDir, 'pepper');
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length < PEPPER_MIN_LENGTH) throw new ConfigError(`${file} holds a pepper that is too short.`);
    return pepperOf(value);
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(48).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log?.warn(
    { file },
    'BURROW_PEPPER is unset: generated a development pepper and saved it (0600); set BURROW_PEPPER in production',
  );
  return pepperOf(value);
}
