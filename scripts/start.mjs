// `npm start`: brings Burrow up on the embedded default (SQLite + ./data) from a fresh clone.
// Installs dependencies on first run (or when package-lock.json changed since), then runs the server.
// Plain JavaScript on purpose: it must run before anything is installed.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const marker = `${root}node_modules/.package-lock.json`;
const stale = !existsSync(marker) || statSync(`${root}package-lock.json`).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log('First run: installing dependencies (npm ci)…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
for (const step of ['scripts/build-if-needed.mjs']) {
  if (existsSync(`${root}${step}`)) run(process.execPath, [`${root}${step}`]);
}

const tsx = `${root}node_modules/tsx/dist/cli.mjs`;
const child = spawn(process.execPath, [tsx, 'packages/server/src/main.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
