/** The doctor's checks and the production start-up refusal (P8), on real files, PostgreSQL and s3rver. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import pg from 'pg';
import { parseConfig } from '../load-config.js';
import { startTestS3 } from '../testing/s3rver.js';
import { runDoctor } from './doctor.js';
import type { S3Probe } from './probe-checks.js';
import { nodeEntry } from '../testing/processes.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A data folder closed to other users, as `npm start` creates it. */
function dataDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'burrow-doctor-'));
  dirs.push(root);
  const dir = join(root, 'data');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const strong = (): string => randomBytes(32).toString('base64');

/** An environment that passes every check (SQLite, a trusted proxy, strong secrets, SMTP). */
function safeEnv(dir = dataDir()): Record<string, string> {
  return {
    BURROW_DATA_DIR: dir,
    BURROW_TRUST_PROXY: '127.0.0.1',
    BURROW_SESSION_KEY: strong(),
    BURROW_PEPPER: strong(),
    BURROW_HONEYCHECKER_SECRET: strong(),
    BURROW_SMTP_URL: 'smtp://mail.example.com:587',
  };
}

const checks = (findings: { check: string }[]): string[] => findings.map((f) => f.check).sort();

test('a deployment with TLS via a trusted proxy, strong secrets, mail and a closed data folder has no findings', async () => {
  assert.deepEqual(await runDoctor(parseConfig(safeEnv())), []);
});

test('plain HTTP without a trusted proxy is a finding; TLS or a proxy clears it', async () => {
  const { BURROW_TRUST_PROXY: _proxy, ...env } = safeEnv();
  const [finding, ...rest] = await runDoctor(parseConfig(env));
  assert.equal(rest.length, 0);
  assert.equal(finding?.check, 'http-tls');
  assert.match(finding.fix, /BURROW_TLS_CERT/);
  assert.deepEqual(
    await runDoctor(parseConfig({ ...env, BURROW_TLS_CERT: '/etc/c.pem', BURROW_TLS_KEY: '/etc/k.pem' })),
    [],
  );
});

test('a missing, short or example secret is a finding that says how to make a good one', async () => {
  for (const [pepper, why] of [
    [undefined, /not set/],
    ['short-secret', /12 characters/],
    ['change-me', /example value/],
    ['CHANGEME', /example value/],
  ] as const) {
    const env: Record<string, string> = { ...safeEnv() };
    if (pepper === undefined) delete env.BURROW_PEPPER;
    else env.BURROW_PEPPER = pepper;
    const findings = await runDoctor(parseConfig(env));
    assert.deepEqual(checks(findings), ['secret-pepper'], String(pepper));
    assert.match(findings[0]?.problem ?? '', why);
    assert.match(findings[0]?.fix ?? '', /openssl rand -base64 32/);
    assert.ok(!findings[0]?.problem.includes(pepper ?? '\u0000'), 'the secret itself is never echoed');
  }
  const { BURROW_SESSION_KEY: _k, ...noKey } = safeEnv();
  assert.deepEqual(checks(await runDoctor(parseConfig(noKey))), ['secret-session-key']);
});

test('a data folder or database file readable by other users is a finding', async () => {
  const dir = dataDir();
  writeFileSync(join(dir, 'burrow.db'), '', { mode: 0o600 });
  chmodSync(dir, 0o755);
  const findings = await runDoctor(parseConfig(safeEnv(dir)));
  assert.deepEqual(checks(findings), ['data-permissions']);
  assert.match(findings[0]?.fix ?? '', /chmod 700/);
  chmodSync(dir, 0o700);
  chmodSync(join(dir, 'burrow.db'), 0o644);
  const file = await runDoctor(parseConfig(safeEnv(dir)));
  assert.deepEqual(checks(file), ['data-permissions']);
  assert.match(file[0]?.fix ?? '', /chmod 600 .*burrow\.db/);
});

test('mail that is not configured is a finding', async () => {
  const { BURROW_SMTP_URL: _smtp, ...env } = safeEnv();
  assert.deepEqual(checks(await runDoctor(parseConfig(env))), ['mail']);
});

test('PostgreSQL off this machine without TLS is a finding; sslmode=verify-full clears it', async () => {
  // An address nothing listens on: the passwordless probe fails to connect and reports nothing.
  const base = 'postgres://burrow:pw@db.invalid:5432/burrow';
  const env = { ...safeEnv(), BURROW_DATABASE_URL: base };
  const findings = await runDoctor(parseConfig(env));
  assert.deepEqual(checks(findings), ['database-tls']);
  assert.match(findings[0]?.fix ?? '', /sslmode=verify-full/);
  assert.deepEqual(
    await runDoctor(parseConfig({ ...env, BURROW_DATABASE_URL: `${base}?sslmode=verify-full` })),
    [],
  );
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

/** A TCP relay on `host` to the PostgreSQL server, so the URL names a non-loopback address. */
async function relay(host: string, target: URL): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

test('a PostgreSQL role without a password on a non-loopback address is refused three ways', async () => {
  // PostgreSQL runs on every machine of ours (CI included), so this runs in the SQLite pass too.
  const adminUrl = process.env.BURROW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const host = externalAddress();
  assert.ok(host, 'this test needs a non-loopback address on the machine');
  const role = `burrow_nopw_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create role ${role} login`); // no password
  const server = await relay(host, new URL(adminUrl));
  try {
    const port = (server.address() as AddressInfo).port;
    const url = `postgres://${role}@${host}:${String(port)}/postgres`;
    const findings = await runDoctor(parseConfig({ ...safeEnv(), BURROW_DATABASE_URL: url }));
    assert.deepEqual(checks(findings), ['database-credentials', 'database-passwordless', 'database-tls']);
    const passwordless = findings.find((f) => f.check === 'database-passwordless');
    assert.match(passwordless?.problem ?? '', new RegExp(role));
    assert.match(passwordless?.fix ?? '', /scram-sha-256/);
    // With a password in the URL the server still lets a passwordless client in: still refused.
    const withPassword = `postgres://${role}:not-checked@${host}:${String(port)}/postgres?sslmode=disable`;
    assert.deepEqual(
      checks(await runDoctor(parseConfig({ ...safeEnv(), BURROW_DATABASE_URL: withPassword }))),
      ['database-passwordless', 'database-tls'],
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await admin.query(`drop role ${role}`);
    await admin.end();
  }
});

test('a public s3rver bucket is refused: a stranger can list it and S3 cannot show it private', async () => {
  const s3 = await startTestS3('public-bucket');
  try {
    const env = {
      ...safeEnv(),
      BURROW_S3_BUCKET: s3.options.bucket,
      BURROW_S3_ENDPOINT: s3.options.endpoint ?? '',
      BURROW_S3_ACCESS_KEY_ID: s3.options.accessKeyId,
      BURROW_S3_SECRET_ACCESS_KEY: s3.options.secretAccessKey,
    };
    const findings = await runDoctor(parseConfig(env));
    assert.deepEqual(checks(findings), ['s3-policy', 's3-public', 's3-public-access-block']);
    assert.match(findings.find((f) => f.check === 's3-public')?.problem ?? '', /anonymous/);
    for (const f of findings) assert.match(f.fix, /put-public-access-block/);
  } finally {
    await s3.close();
  }
});

test('a bucket that refuses strangers, reports a private policy and blocks public access passes', async () => {
  const env = {
    ...safeEnv(),
    BURROW_S3_BUCKET: 'private',
    BURROW_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    BURROW_S3_SECRET_ACCESS_KEY: strong(),
  };
  const privateBucket: S3Probe = {
    policyIsPublic: () => Promise.resolve(false),
    publicAccessFullyBlocked: () => Promise.resolve(true),
    anonymousListSucceeds: () => Promise.resolve(false),
  };
  assert.deepEqual(await runDoctor(parseConfig(env), { s3Probe: privateBucket }), []);
  const publicPolicy = { ...privateBucket, policyIsPublic: () => Promise.resolve(true) };
  assert.deepEqual(checks(await runDoctor(parseConfig(env), { s3Probe: publicPolicy })), ['s3-policy']);
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs `burrow <args>` (or the server) with `env`; resolves when it exits or prints `until`. */
function run([source, ...args]: [string, ...string[]], env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, [...nodeEntry(root, source), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    // Generous: under a loaded CI machine a cold start (tsx outside npm test) takes tens of seconds.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    if (until)
      child.stdout.on('data', () => {
        if (until.test(out)) child.kill('SIGTERM');
      });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('in production the server refuses to start and prints each finding with its fix', async () => {
  const dir = dataDir();
  chmodSync(dir, 0o755);
  const { code, out } = await run(['packages/server/src/main.ts'], {
    BURROW_DATA_DIR: dir,
    NODE_ENV: 'production',
    BURROW_PEPPER: 'change-me',
  });
  assert.equal(code, 1, out);
  assert.match(out, /refuses to start in production/);
  for (const check of ['http-tls', 'secret-session-key', 'secret-pepper', 'mail', 'data-permissions'])
    assert.match(out, new RegExp(`\\[${check}\\][^\\n]*\\n\\s+fix: `), check);
  assert.ok(!out.includes('listening'), out);
});

test('`burrow serve --production` refuses too; a safe deployment starts; development only warns', async () => {
  const refused = await run(['packages/server/src/cli.ts', 'serve', '--production'], {
    BURROW_DATA_DIR: dataDir(),
  });
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.out, /\[http-tls\]/);

  const safe = await run(
    ['packages/server/src/main.ts'],
    { ...safeEnv(), NODE_ENV: 'production' },
    /listening/,
  );
  assert.match(safe.out, /Burrow is listening/);
  assert.ok(!safe.out.includes('fix:'), safe.out);

  const dev = await run(['packages/server/src/main.ts'], { BURROW_DATA_DIR: dataDir() }, /listening/);
  assert.match(dev.out, /Development mode: \d+ finding/);
  assert.match(dev.out, /Burrow is listening/);
});

test('argon2id cost: OWASP by default, set by BURROW_ARGON2_*, and a cheap setting is a finding', async () => {
  assert.deepEqual({ ...parseConfig(safeEnv()).argon2 }, { memoryKib: 19456, timeCost: 2, parallelism: 1 });
  const cheap = { ...safeEnv(), BURROW_ARGON2_MEMORY_KIB: '64', BURROW_ARGON2_TIME_COST: '1', BURROW_ARGON2_PARALLELISM: '2' };
  assert.deepEqual({ ...parseConfig(cheap).argon2 }, { memoryKib: 64, timeCost: 1, parallelism: 2 });
  const [finding, ...rest] = await runDoctor(parseConfig(cheap));
  assert.equal(rest.length, 0);
  assert.equal(finding?.check, 'password-hashing');
  assert.match(finding.fix, /BURROW_ARGON2_MEMORY_KIB/);
  // OWASP's other equivalent settings pass: 46 MiB once, 7 MiB five times.
  assert.deepEqual(await runDoctor(parseConfig({ ...safeEnv(), BURROW_ARGON2_MEMORY_KIB: '47104', BURROW_ARGON2_TIME_COST: '1' })), []);
  assert.deepEqual(await runDoctor(parseConfig({ ...safeEnv(), BURROW_ARGON2_MEMORY_KIB: '7168', BURROW_ARGON2_TIME_COST: '5' })), []);
  for (const [name, value] of [['BURROW_ARGON2_MEMORY_KIB', '4'], ['BURROW_ARGON2_TIME_COST', '0'], ['BURROW_ARGON2_PARALLELISM', '1.5']] as const)
    assert.throws(() => parseConfig({ [name]: value }), (err: Error) => err.name === 'ConfigError' && err.message.includes(name));
});
