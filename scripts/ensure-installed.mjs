// What `npm start` and `npm test` need before they can run, installed on first use. Plain JavaScript
// on purpose: it runs before anything is installed.
//
// - ensureDependencies(): `npm ci` when node_modules is missing or older than package-lock.json.
// - ensureSystemPackages(): the Debian packages the tests need (DEBIAN_PACKAGES, the one list: .ci/run
//   reaches it through `npm test`). Missing ones are installed with apt-get when running as root;
//   otherwise one line says what to install and the process exits non-zero — never a silent skip.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * Debian packages the test suite uses, with a command each provides (checked where dpkg is absent):
 * Chromium's headless shell for the browser tests and the full browser for the two that test system
 * notifications (e2e/browser/harness.ts, ChromiumKind), espeak-ng and sox to make the fake microphone's voice, openssl for
 * throwaway TLS certificates, and pg_dump/pg_restore of the same major version as the PostgreSQL
 * server (15) for the backup tests.
 */
export const DEBIAN_PACKAGES = Object.freeze([
  { name: 'chromium-headless-shell', command: 'chromium-headless-shell' },
  { name: 'chromium', command: 'chromium' },
  { name: 'espeak-ng', command: 'espeak-ng' },
  { name: 'sox', command: 'sox' },
  { name: 'openssl', command: 'openssl' },
  { name: 'postgresql-client-15', command: 'pg_dump' },
]);

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** True when node_modules is missing or older than package-lock.json (installed before the lock changed). */
export function dependenciesStale() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  return !existsSync(marker) || statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

/** Runs `npm ci` when dependenciesStale(); says why first. */
export function ensureDependencies() {
  if (!dependenciesStale()) return;
  console.log('Installing dependencies (npm ci): node_modules is missing or older than package-lock.json…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}

const onPath = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));

function installedByDpkg(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** The DEBIAN_PACKAGES not installed here (by dpkg where it exists, else by their command on PATH). */
export function missingSystemPackages(packages = DEBIAN_PACKAGES) {
  const dpkg = onPath('dpkg-query');
  return packages.filter((p) => !(dpkg ? installedByDpkg(p.name) : onPath(p.command))).map((p) => p.name);
}

/**
 * The missing DEBIAN_PACKAGES, or exits 1 with the command to run when this process cannot install
 * them (not root, or no apt-get): the one-line instruction, never a silent skip.
 */
function packagesToInstall(packages) {
  const missing = missingSystemPackages(packages);
  if (missing.length === 0) return [];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(
      `✗ The tests need ${missing.join(', ')}: install them (Debian: sudo apt-get install -y --no-install-recommends ${missing.join(' ')}), then run npm test again.`,
    );
    process.exit(1);
  }
  console.log(`Installing Debian packages the tests need: ${missing.join(' ')}…`);
  return missing;
}

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
// Another apt-get (an unattended upgrade, a second checkout's `npm test`) may hold dpkg's lock for a
// while: wait for it, up to 10 minutes, instead of failing the whole run at once.
const WAIT_FOR_LOCK = ['-o', 'DPkg::Lock::Timeout=600'];
const aptSteps = (missing) => [
  [...WAIT_FOR_LOCK, 'update', '-qq'],
  [...WAIT_FOR_LOCK, 'install', '-y', '-qq', '--no-install-recommends', ...missing],
];

/** Installs missing DEBIAN_PACKAGES with apt-get as root; otherwise prints the command and exits 1. */
export function ensureSystemPackages(packages = DEBIAN_PACKAGES) {
  const missing = packagesToInstall(packages);
  if (missing.length > 0) for (const step of aptSteps(missing)) run('apt-get', step, APT_ENV);
}

/**
 * The same, without holding the caller: resolves true once the packages are there (at once when
 * nothing is missing), false when apt-get failed (its output says why). `npm test` runs the static
 * checks meanwhile — a fresh machine spends most of a minute fetching Chromium.
 */
export function ensureSystemPackagesInBackground(packages = DEBIAN_PACKAGES) {
  const missing = packagesToInstall(packages);
  if (missing.length === 0) return Promise.resolve(true);
  return aptSteps(missing).reduce(
    (before, step) =>
      before.then(
        (ok) =>
          ok &&
          new Promise((done) => {
            const child = spawn('apt-get', step, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...APT_ENV } });
            child.on('error', () => done(false));
            child.on('close', (code) => done(code === 0));
          }),
      ),
    Promise.resolve(true),
  );
}

// `node scripts/ensure-installed.mjs [--system]`: the same checks from a shell (e.g. a CI image build).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureDependencies();
  if (process.argv.includes('--system')) ensureSystemPackages();
}
