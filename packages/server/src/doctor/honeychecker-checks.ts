/**
 * Doctor checks of the honeychecker (tripwires, docs/security.md "Tripwires"): its secret, where it
 * lives, and that nobody else can read it. A honeychecker that other users can read, or whose secret
 * is an example, tells a thief which sweetword is real and which accounts are canaries.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { honeycheckerDirOf, type Config } from '../load-config.js';
import { HONEYCHECKER_FILE } from '../honeychecker/index.js';
import { EXAMPLE_SECRETS, MIN_SECRET_LENGTH } from './config-checks.js';
import type { Finding } from './finding.js';

const VARIABLE = 'BURROW_HONEYCHECKER_SECRET';
const GENERATE =
  'generate one with `openssl rand -base64 32`, and keep it apart from the database and its backups';

function secretFinding(config: Config): Finding | null {
  const check = 'secret-honeychecker';
  const value = config.tripwires.honeycheckerSecret;
  if (value === null)
    return {
      check,
      problem: `The honeychecker's secret (${VARIABLE}) is not set.`,
      fix: `Set ${VARIABLE}: ${GENERATE}.`,
    };
  if (EXAMPLE_SECRETS.includes(value.trim().toLowerCase()))
    return {
      check,
      problem: `The honeychecker's secret (${VARIABLE}) is an example value.`,
      fix: `Replace ${VARIABLE}: ${GENERATE}.`,
    };
  if (value.length < MIN_SECRET_LENGTH)
    return {
      check,
      problem: `The honeychecker's secret (${VARIABLE}) is ${String(value.length)} characters; at least ${String(MIN_SECRET_LENGTH)} are needed.`,
      fix: `Replace ${VARIABLE} with a longer random value: ${GENERATE}.`,
    };
  if (value === config.secrets.pepper || value === config.secrets.sessionKey)
    return {
      check,
      problem: `${VARIABLE} is the same value as another server secret: whoever has one has both.`,
      fix: `Give the honeychecker its own secret: ${GENERATE}.`,
    };
  return null;
}

/** The honeychecker's secret, location and file modes. */
export function honeycheckerFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  const secret = secretFinding(config);
  if (secret) findings.push(secret);
  const dir = honeycheckerDirOf(config);
  const inside = relative(config.dataDir, dir);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)))
    findings.push({
      check: 'honeychecker-location',
      problem: `The honeychecker (${dir}) is inside the data folder, so every copy of the data folder carries it.`,
      fix: 'Set BURROW_HONEYCHECKER_DIR to a folder outside BURROW_DATA_DIR (ideally on another volume or host), and move the folder there.',
    });
  const file = join(dir, HONEYCHECKER_FILE);
  if (!existsSync(file)) {
    // An installation with a database but no honeychecker has lost it: honeywords cannot be checked.
    if (
      config.database.kind === 'sqlite' &&
      existsSync(config.database.path) &&
      statSync(config.database.path).size > 0
    )
      findings.push({
        check: 'honeychecker-missing',
        problem: `The database exists but the honeychecker store ${file} does not: decoy passwords cannot be told from real ones, and canaries are unknown.`,
        fix: `Restore ${dir} from where you keep it (with the same ${VARIABLE}), or set BURROW_HONEYCHECKER_DIR to where it is. Starting without it makes a new, empty one.`,
      });
    return findings;
  }
  for (const path of [dir, file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      findings.push({
        check: 'honeychecker-permissions',
        problem: `${path} is readable or writable by other users (mode ${mode.toString(8).padStart(3, '0')}).`,
        fix: `chmod ${statSync(path).isDirectory() ? '700' : '600'} ${path} (and run Burrow as its own user).`,
      });
  }
  return findings;
}
