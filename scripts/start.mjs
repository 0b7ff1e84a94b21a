// `npm start`: brings Burrow up on the embedded default (SQLite + ./data) from a fresh clone.
// Installs dependencies on first run (or when package-lock.json changed since; scripts/ensure-installed.mjs,
// shared with `npm test`), then runs the server.
// Plain JavaScript on purpose: it must run before anything is installed.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-installed.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

ensureDependencies();
for (const step of ['scripts/build-if-needed.mjs']) {
  if (existsSync(`${root}${step}`)) run(process.execPath, [`${root}${step}`]);
}

const tsx = `${root}node_modules/tsx/dist/cli.mjs`;
const child = spawn(process.execPath, [tsx, 'packages/server/src/main.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
