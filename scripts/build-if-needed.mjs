// Builds the web app (packages/web → packages/web/dist) when dist is missing or older than anything it
// is built from: the web package, and the api, client and protocol sources it bundles. `npm start` runs
// this before the server; browser tests run it in their `before`. Plain JavaScript: it runs before tsx.
// Concurrent callers (test files run in parallel) take turns through a lock directory.
//
// `--log FILE` (npm start): vite's output goes to FILE and the terminal gets one progress line; on a
// failure the log's last lines are printed. Without it, vite writes to the terminal as before.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'packages/web');
const dist = join(web, 'dist');
const stamp = join(dist, '.build-stamp');
const lock = join(web, '.build-lock');
const sources = [
  join(web, 'index.html'),
  join(web, 'toy.html'),
  join(web, 'vite.config.ts'),
  join(web, 'package.json'),
  join(web, 'src'),
  join(web, 'public'),
  join(root, 'packages/api/src'),
  join(root, 'packages/client/src'),
  join(root, 'packages/protocol/src'),
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

function stale() {
  if (!existsSync(stamp) || !existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'toy.html')))
    return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((s) => newest(s) > built);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function withLock(fn) {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock left by a killed build is older than any real build takes.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 5 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 10 * 60_000) throw new Error(`Timed out waiting for ${lock}`);
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The last `lines` lines of a log file, for a failure message. */
function tail(file, lines = 30) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

const { values } = parseArgs({ options: { log: { type: 'string' } } });
const shownLog = values.log && values.log.startsWith(root) ? relative(root, values.log) : values.log;
if (!stale()) process.exit(0);
const status = withLock(() => {
  if (!stale()) return 0;
  const started = Date.now();
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  let stdio = 'inherit';
  if (values.log) {
    mkdirSync(dirname(values.log), { recursive: true, mode: 0o700 });
    const fd = openSync(values.log, 'w', 0o600);
    stdio = ['ignore', fd, fd];
    process.stdout.write(`Building the web app (packages/web)… `);
  } else console.log('Building the web app (packages/web)…');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', values.log ? 'info' : 'warn'], { cwd: web, stdio });
  if (typeof stdio[1] === 'number') closeSync(stdio[1]);
  if (r.status !== 0) {
    if (values.log) console.error(`failed. The end of ${shownLog}:\n${tail(values.log)}`);
    return r.status ?? 1;
  }
  if (values.log) console.log(`done in ${String(Math.round((Date.now() - started) / 1000))} s (log: ${shownLog})`);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return 0;
});
process.exit(status);
