/**
 * Production runs compiled JavaScript: the esbuild bundle of the CLI (scripts/build-server.mjs)
 * starts the server in production mode and answers /healthz with no TypeScript loader in the
 * process — a module hook fails the start if anything resolves to a .ts file or to tsx.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { freePort, watchChild } from './testing/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cleanup: string[] = [];
after(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

/** Refuses, at resolution, any TypeScript source or the tsx loader. */
const NO_TYPESCRIPT_HOOK = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/\\.[mc]?tsx?$/.test(new URL(result.url).pathname) || result.url.includes('/node_modules/tsx/'))
    throw new Error('production loaded TypeScript: ' + result.url);
  return result;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TYPESCRIPT_HOOK)}`)});`;

test('the compiled server starts in production without tsx and answers /healthz', async () => {
  // Inside the checkout (node_modules/.cache), so the bundle's imports resolve from node_modules.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const outdir = mkdtempSync(join(root, 'node_modules/.cache/burrow-compiled-test-'));
  const data = mkdtempSync(join(tmpdir(), 'burrow-compiled-'));
  cleanup.push(outdir, data);
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-server.mjs'), '--outdir', outdir], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const bundle = join(outdir, 'burrow.mjs');
  assert.ok(!/from ["']tsx|\.ts["']\)/.test(readFileSync(bundle, 'utf8')), 'the bundle imports neither tsx nor a .ts file');

  const dataDir = join(data, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const strong = (): string => randomBytes(32).toString('base64');
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(new URL(`file://${bundle}`).href)}); process.exitCode = await main(['serve']);`],
    {
      cwd: data,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        BURROW_DATA_DIR: dataDir,
        BURROW_HONEYCHECKER_DIR: join(data, 'honeychecker'),
        BURROW_TRUST_PROXY: '127.0.0.1',
        BURROW_SESSION_KEY: strong(),
        BURROW_PEPPER: strong(),
        BURROW_HONEYCHECKER_SECRET: strong(),
        BURROW_SMTP_URL: 'smtp://mail.example.com:587',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const watched = watchChild(child);
  try {
    const listening = await watched.until('Burrow is listening', 60_000);
    assert.ok(listening, watched.output());
    const response = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
    // Passwords are scored on a worker thread loaded by path (accounts/password-strength.worker.mjs),
    // which the bundle must find too: a weak one is refused with the estimator's verdict, not a 500.
    const signUp = await fetch(`http://127.0.0.1:${String(port)}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'weak@example.com', password: 'cloudpetscloudpets' }),
    });
    assert.equal(signUp.status, 400, watched.output());
    assert.match(await signUp.text(), /too easy to guess/);
    assert.ok(!watched.output().includes('production loaded TypeScript'), watched.output());
  } finally {
    child.kill('SIGTERM');
    await watched.exited;
  }
});
