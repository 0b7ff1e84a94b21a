/**
 * Operators tune the limits (issue #11 item 4): each rate limit and the family quota is a setting
 * with today's value as its default, parsed by its capability's own section (limits/config.ts per
 * address, messages/config.ts per device and per family); a malformed value stops the start with
 * exit status 2 and a sentence naming the variable; a limit that is off or absurdly high is a
 * `burrow doctor` finding; a configured limit is the one a real server enforces.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { configFindings } from '../doctor/config-checks.js';
import { ConfigError, defaultRateLimits, parseConfig } from '../load-config.js';
import { DEFAULT_FAMILY_STORAGE_BYTES } from '../messages/config.js';
import { httpClient } from '../testing/http.js';
import { startTestServer } from '../testing/start-test-server.js';
import { nodeEntry } from '../testing/processes.js';

const limitChecks = (env: NodeJS.ProcessEnv) =>
  configFindings(parseConfig(env)).filter(
    (f) => f.check.startsWith('rate-limit') || f.check.startsWith('storage-quota'),
  );

void test('unset, every limit is today’s value; set, each is read from its variable', () => {
  const unset = parseConfig({});
  assert.deepEqual({ ...unset.rateLimits }, { ...defaultRateLimits });
  assert.equal(unset.familyStorageBytes, DEFAULT_FAMILY_STORAGE_BYTES);
  const set = parseConfig({
    BURROW_RATE_LIMIT_GLOBAL: '1200/1m',
    BURROW_RATE_LIMIT_SIGN_UP: '5/30s',
    BURROW_RATE_LIMIT_LOG_IN: '10/1m',
    BURROW_RATE_LIMIT_REGISTER_TOY: '40/2m',
    BURROW_RATE_LIMIT_LOOKUP_PAIRING: '15/1m',
    BURROW_RATE_LIMIT_REDEEM_INVITATION: ' 60/1h ',
    BURROW_RATE_LIMIT_SEND_MESSAGE: '120/10m',
    BURROW_FAMILY_STORAGE_MIB: '2048',
  });
  assert.deepEqual(JSON.parse(JSON.stringify(set.rateLimits)), {
    global: { max: 1200, windowMs: 60_000 },
    signUp: { max: 5, windowMs: 30_000 },
    logIn: { max: 10, windowMs: 60_000 },
    registerToy: { max: 40, windowMs: 120_000 },
    lookupPairing: { max: 15, windowMs: 60_000 },
    redeemInvitation: { max: 60, windowMs: 3_600_000 },
    sendMessage: { max: 120, windowMs: 600_000 },
  });
  assert.equal(set.familyStorageBytes, 2048 * 1024 * 1024);
  assert.ok(Object.isFrozen(set.rateLimits));
  assert.deepEqual(
    limitChecks({ BURROW_RATE_LIMIT_SIGN_UP: '5/30s', BURROW_FAMILY_STORAGE_MIB: '2048' }),
    [],
  );
});

void test('a malformed limit is refused with a sentence naming its variable', () => {
  const bad: [string, string][] = [
    ['BURROW_RATE_LIMIT_SIGN_UP', 'lots'],
    ['BURROW_RATE_LIMIT_SIGN_UP', '20'],
    ['BURROW_RATE_LIMIT_LOG_IN', '-1/1m'],
    ['BURROW_RATE_LIMIT_GLOBAL', '600/0s'],
    ['BURROW_RATE_LIMIT_GLOBAL', '600/2d'],
    ['BURROW_RATE_LIMIT_REGISTER_TOY', '1.5/1m'],
    ['BURROW_RATE_LIMIT_SEND_MESSAGE', '60/25h'],
    ['BURROW_FAMILY_STORAGE_MIB', '1GiB'],
    ['BURROW_FAMILY_STORAGE_MIB', '-5'],
    ['BURROW_FAMILY_STORAGE_MIB', '99999999999'],
  ];
  for (const [name, value] of bad)
    assert.throws(
      () => parseConfig({ [name]: value }),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${name} must be`),
      `${name}=${value}`,
    );
});

void test('`npm start` with a malformed limit prints why and exits 2, before anything starts', async () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-limits-'));
  try {
    const child = spawn(
      process.execPath,
      nodeEntry(root, 'packages/server/src/main.ts'),
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PORT: '0',
          HOST: '127.0.0.1',
          BURROW_DATA_DIR: dataDir,
          BURROW_RATE_LIMIT_LOG_IN: 'unlimited',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2, out);
    assert.match(out, /Burrow cannot start: BURROW_RATE_LIMIT_LOG_IN must be MAX\/WINDOW/);
    assert.doesNotMatch(out, /listening/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('burrow doctor flags a limit turned off or absurdly high, and says which variable to fix', () => {
  const found = limitChecks({
    BURROW_RATE_LIMIT_LOG_IN: '0/1m',
    BURROW_RATE_LIMIT_SIGN_UP: '1000000/1m',
    BURROW_RATE_LIMIT_SEND_MESSAGE: '0/10m',
    BURROW_RATE_LIMIT_GLOBAL: '60000/1m', // exactly 100× the default: still a limit
    BURROW_FAMILY_STORAGE_MIB: '0',
  });
  assert.deepEqual(
    found.map((f) => f.check),
    ['rate-limit-too-high', 'rate-limit-off', 'rate-limit-off', 'storage-quota-off'],
  );
  assert.match(found[0]!.problem, /signUp rate limit \(1000000 per 60 s\)/);
  assert.match(found[0]!.fix, /BURROW_RATE_LIMIT_SIGN_UP/);
  assert.match(found[1]!.fix, /BURROW_RATE_LIMIT_LOG_IN/);
  assert.match(found[2]!.fix, /BURROW_RATE_LIMIT_SEND_MESSAGE/);
  // Per unit of time: 2,001 sign-ups a minute is over 100 × 20/min, whatever the window is written in.
  assert.deepEqual(
    limitChecks({ BURROW_RATE_LIMIT_SIGN_UP: '120060/1h' }).map((f) => f.check),
    ['rate-limit-too-high'],
  );
  assert.deepEqual(
    limitChecks({ BURROW_FAMILY_STORAGE_MIB: String(101 * 1024) }).map((f) => f.check),
    ['storage-quota-too-high'],
  );
});

void test('a configured per-address limit is the one the server enforces: the third sign-up in the window is a 429', async () => {
  const config = parseConfig({ BURROW_RATE_LIMIT_SIGN_UP: '2/1m' });
  const server = await startTestServer({
    rateLimits: config.rateLimits,
    familyStorageBytes: config.familyStorageBytes,
  });
  try {
    const call = httpClient(server.url);
    // An empty body: refused by validation (400, changes nothing) while admitted, 429 once over the limit.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/v1/accounts', { body: {} })).status);
    assert.deepEqual(statuses, [400, 400, 429]);
  } finally {
    await server.close();
  }
});
