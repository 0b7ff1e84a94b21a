// `npm start`: brings Burrow up on the embedded default (SQLite + ./data) from a fresh clone.
// Installs dependencies on first run (or when package-lock.json changed since; scripts/ensure-installed.mjs,
// shared with `npm test`), builds the web app when stale, then runs the server and prints a short
// banner: the URL, where data and mail go. The install's and the build's output go to log files under
// <data>/logs with one progress line each (their tail is printed if they fail).
//
// NODE_ENV=production (or `npm start -- --production`) runs the compiled bundle (scripts/build-server.mjs),
// building it first when a source is newer. Plain JavaScript on purpose: it must run before anything
// is installed.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dependenciesStale } from './ensure-installed.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = process.argv.slice(2);
const production = process.env.NODE_ENV === 'production' || args.includes('--production');
const dataDir = resolve(root, process.env.BURROW_DATA_DIR || 'data');
const logs = join(dataDir, 'logs');
const shown = (path) => (path.startsWith(root) ? relative(root, path) : path);

function tail(file, lines = 30) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs one noisy step with its output in `log`: one line on the terminal, the log's tail on failure. */
function quietly(what, cmd, cmdArgs, log) {
  // The data folder is created closed to other users, as the server itself creates it.
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const started = Date.now();
  process.stdout.write(`${what}… `);
  const fd = openSync(log, 'w', 0o600);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (r.status !== 0) {
    console.error(`failed. The end of ${shown(log)}:\n${tail(log)}`);
    process.exit(r.status ?? 1);
  }
  console.log(`done in ${String(Math.round((Date.now() - started) / 1000))} s (log: ${shown(log)})`);
}

if (dependenciesStale()) quietly('Installing dependencies (npm ci)', npm, ['ci', '--no-audit', '--no-fund'], join(logs, 'install.log'));
mkdirSync(logs, { recursive: true, mode: 0o700 });
const web = spawnSync(process.execPath, [join(root, 'scripts/build-if-needed.mjs'), '--log', join(logs, 'build.log')], { cwd: root, stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);
if (production)
  quietly('Compiling the server for production', process.execPath, [join(root, 'scripts/build-server.mjs'), '--if-needed'], join(logs, 'build-server.log'));

// In development on a terminal, the server's JSON request logs would bury everything else: show
// warnings and errors only, unless BURROW_LOG_LEVEL says otherwise.
const env = { ...process.env };
const quietLogs = !production && process.stdout.isTTY && !env.BURROW_LOG_LEVEL;
if (quietLogs) env.BURROW_LOG_LEVEL = 'warn';

function banner(url) {
  const mail = env.BURROW_SMTP_URL ? 'sent through BURROW_SMTP_URL' : `written to ${shown(join(dataDir, 'outbox'))} (links also printed here)`;
  return [
    '',
    `  Burrow is running (${production ? 'production' : 'development'}): ${url}`,
    `    data  ${shown(dataDir)}${env.BURROW_DATABASE_URL ? ' (database: BURROW_DATABASE_URL)' : ' (SQLite database, voice blobs)'}`,
    `    mail  ${mail}`,
    `    logs  ${quietLogs ? 'warnings and errors only (BURROW_LOG_LEVEL=info for every request)' : `level ${env.BURROW_LOG_LEVEL ?? 'info'}`}; builds: ${shown(logs)}/`,
    '  Ctrl-C stops it.',
    '',
  ].join('\n');
}

// The bin runs the TypeScript sources through tsx in development and the compiled bundle in production.
const child = spawn(process.execPath, [join(root, 'packages/server/bin/burrow.mjs'), 'serve', ...args], {
  cwd: root,
  env,
  stdio: ['inherit', 'pipe', 'inherit'],
});
const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** On a development terminal, a pino JSON line becomes `warn: message (error)`; anything else is kept. */
function terse(line) {
  if (!quietLogs || !line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line);
    if (typeof entry.msg !== 'string') return line;
    const err = typeof entry.err?.message === 'string' ? ` (${entry.err.message})` : '';
    return `${LEVELS[entry.level] ?? 'log'}: ${entry.msg}${err}`;
  } catch {
    return line;
  }
}

// The server's own "listening" line becomes the banner; everything else passes through.
createInterface({ input: child.stdout }).on('line', (line) => {
  const listening = /^Burrow is listening on (\S+)/.exec(line);
  console.log(listening ? banner(listening[1]) : terse(line));
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
