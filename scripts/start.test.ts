/**
 * `npm start` is quiet: the web build's output goes to <data>/logs (one progress line at most), and
 * the server's "listening" line becomes a banner with the URL and where data and mail go.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { freePort, watchChild } from '../packages/server/src/testing/processes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('npm start prints progress lines and a banner with the URL, data and mail, and no build output', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'burrow-start-'));
  dirs.push(scratch);
  const dataDir = join(scratch, 'data');
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      BURROW_DATA_DIR: dataDir,
      BURROW_HONEYCHECKER_DIR: join(scratch, 'honeychecker'),
      BURROW_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  try {
    const banner = await watched.until('Ctrl-C stops it.', 120_000);
    const out = watched.output();
    assert.ok(banner, out);
    assert.match(out, new RegExp(`Burrow is running \\(development\\): http://localhost:${String(port)}`));
    assert.ok(out.includes(`data  ${dataDir}`), out);
    assert.ok(out.includes(`mail  written to ${join(dataDir, 'outbox')}`), out);
    // The server's own line became the banner; vite's output (if the web app was built) is in the log.
    assert.ok(!out.includes('Burrow is listening'), out);
    assert.ok(!/modules transformed|building client environment/.test(out), out);
    const lines = out.trim().split('\n');
    assert.ok(lines.length <= 15, `a short start, not ${String(lines.length)} lines:\n${out}`);
  } finally {
    child.kill('SIGTERM');
    await watched.exited;
  }
});
