/**
 * Doctor checks of the honeychecker (tripwires, docs/security.md "Tripwires"): its secret, where it
 * lives, and that nobody else can read it. A honeychecker that other users can read, or whose secret
 * is an example, tells a thief which sweetword is real and which accounts are canaries.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { honeycheckerDirOf, type Config } from '../load-config.js';
import { HONEYCHECKER_FILE, honeycheckerRequest } from '../honeychecker/index.js';
import { EXAMPLE_SECRETS, MIN_SECRET_LENGTH } from './config-checks.js';
import type { Finding } from './finding.js';
import type { LiveResult } from './live-checks.js';

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

/** True when `path` is `dir` or inside it. */
function isInside(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}

/**
 * A node using the honeychecker service (BURROW_HONEYCHECKER_URL) holds neither the store nor its
 * secret, only the token requests are signed with: that token must be strong and its own, and a
 * Unix socket must not live in the data folder (copies of the folder would carry it along).
 */
function serviceFindings(config: Config, url: string): Finding[] {
  const findings: Finding[] = [];
  const token = config.tripwires.honeycheckerToken ?? '';
  if (token === config.secrets.pepper || token === config.secrets.sessionKey || EXAMPLE_SECRETS.includes(token.trim().toLowerCase()))
    findings.push({
      check: 'honeychecker-token',
      problem: 'BURROW_HONEYCHECKER_TOKEN is an example value or the same as another server secret.',
      fix: 'Give the honeychecker service and the nodes their own token: `openssl rand -base64 32`.',
    });
  if (config.tripwires.honeycheckerSecret !== null)
    findings.push({
      check: 'honeychecker-secret-on-node',
      problem: `${VARIABLE} is set on a node that uses the honeychecker service: whoever takes this node has the store's key too.`,
      fix: `Unset ${VARIABLE} here; only the host running \`burrow honeychecker serve\` needs it.`,
    });
  if (url.startsWith('unix:') && isInside(config.dataDir, url.slice('unix:'.length)))
    findings.push({
      check: 'honeychecker-location',
      problem: `The honeychecker's socket (${url}) is inside the data folder.`,
      fix: 'Put the socket (and the honeychecker\'s folder) outside BURROW_DATA_DIR, e.g. /run/burrow-honeychecker/hc.sock.',
    });
  return findings;
}

/** The honeychecker's secret, location and file modes. */
export function honeycheckerFindings(config: Config): Finding[] {
  const url = config.tripwires.honeycheckerUrl;
  if (url !== null) return serviceFindings(config, url);
  const findings: Finding[] = [];
  const secret = secretFinding(config);
  if (secret) findings.push(secret);
  const dir = honeycheckerDirOf(config);
  if (isInside(config.dataDir, dir))
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

/**
 * `burrow doctor` with BURROW_HONEYCHECKER_URL: the service answers a signed request (so the token
 * matches), and the folder it reports keeping its store in is not inside this node's data folder.
 */
export async function honeycheckerServiceChecks(config: Config): Promise<LiveResult> {
  const result: LiveResult = { findings: [], passed: [], notes: [] };
  const { honeycheckerUrl: url, honeycheckerToken: token } = config.tripwires;
  if (url === null || token === null) return result;
  let health: { dir?: unknown } | null;
  try {
    health = (await honeycheckerRequest(url, token, 'GET', '/v1/health')) as { dir?: unknown } | null;
  } catch (err) {
    result.findings.push({
      check: 'honeychecker-reachable',
      problem: `The honeychecker service at ${url} cannot be used: ${err instanceof Error ? err.message : String(err)}`,
      fix: 'Start it (`burrow honeychecker serve`, docs/deploy.md) and give this node the same BURROW_HONEYCHECKER_TOKEN; sign-ins fail until it answers.',
      scope: 'always',
    });
    return result;
  }
  const dir = typeof health?.dir === 'string' ? health.dir : null;
  if (dir !== null && isInside(config.dataDir, dir))
    result.findings.push({
      check: 'honeychecker-location',
      problem: `The honeychecker service keeps its store in ${dir}, inside this node's data folder.`,
      fix: 'Give `burrow honeychecker serve` a folder outside BURROW_DATA_DIR (ideally on another host).',
      scope: 'always',
    });
  else result.passed.push(`honeychecker: the service at ${url} answers signed requests; its store is outside the data folder.`);
  return result;
}
