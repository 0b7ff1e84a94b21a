/**
 * `burrow doctor` tells production from development, and checks the database (reachable, migrations
 * current) and a running server's health — on a real test server (SQLite, or PostgreSQL with
 * BURROW_TEST_PG_URL), a real closed port and a real HTTP server on loopback.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'libsql';
import pg from 'pg';
import { parseConfig, type Config } from '../load-config.js';
import { migrationsFor } from '../db/index.js';
import { freePort as closedPort } from '../testing/processes.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { doctorReport } from './command.js';
import { databaseChecks, healthChecks } from './live-checks.js';

const dirs: string[] = [];
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A development environment as a laptop has it: no secrets, no TLS, no SMTP, a fresh data folder. */
async function devEnv(): Promise<Record<string, string>> {
  const root = mkdtempSync(join(tmpdir(), 'burrow-doctor-cmd-'));
  dirs.push(root);
  const dir = join(root, 'data');
  mkdirSync(dir, { mode: 0o700 });
  return { BURROW_DATA_DIR: dir, HOST: '127.0.0.1', PORT: String(await closedPort()) };
}

test('development: production-only findings are notes, nothing fails, and the exit would be 0', async () => {
  const config = parseConfig(await devEnv());
  const report = await doctorReport(config, false);
  assert.equal(report.failed, false, report.text);
  assert.match(report.text, /^burrow doctor — development/);
  for (const check of ['http-tls', 'secret-session-key', 'secret-pepper', 'mail'])
    assert.match(report.text, new RegExp(`— production only: \\[${check}\\][^\\n]*\\n\\s+fix: `), check);
  assert.ok(!report.text.includes('✗'), report.text);
  assert.match(report.text, /does not exist yet/);
  assert.match(report.text, /no server answers/);
  assert.match(report.text, /Nothing that matters in development is wrong; \d+ production-only note/);
});

test('production: the same findings are ✗ and fail', async () => {
  const report = await doctorReport(parseConfig(await devEnv()), true);
  assert.equal(report.failed, true);
  assert.match(report.text, /^burrow doctor — production/);
  assert.match(report.text, /✗ \[http-tls\]/);
  assert.ok(!report.text.includes('production only:'), report.text);
});

test('a migrated database and a running server pass the live checks', async () => {
  const database = await databaseChecks(server.config);
  assert.deepEqual(database.findings, []);
  assert.match(database.passed.join('\n'), /all \d+ migrations applied/);
  const health = await healthChecks(server.config, 3000, server.url);
  assert.deepEqual(health.findings, []);
  assert.match(health.passed.join('\n'), /\/healthz and \/readyz answer 200/);
});

/** Runs `statement` against the test server's database (SQLite file or PostgreSQL). */
async function execute(config: Config, statement: string): Promise<void> {
  if (config.database.kind === 'sqlite') {
    const db = new Database(config.database.path);
    db.exec(statement);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: config.database.url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

test('a pending migration is a production-only finding; a migration from a newer version always fails', async () => {
  const config = server.config;
  const last = Object.keys(migrationsFor(config.database.kind)).at(-1) ?? '';
  await execute(config, `delete from kysely_migration where name = '${last}'`);
  try {
    const pending = await databaseChecks(config);
    assert.deepEqual(pending.findings.map((f) => [f.check, f.scope ?? 'production']), [['database-migrations-pending', 'production']]);
    assert.ok(pending.findings[0]?.problem.includes(last), pending.findings[0]?.problem);
    assert.match(pending.findings[0]?.fix ?? '', /burrow migrate/);
  } finally {
    await execute(config, `insert into kysely_migration (name, timestamp) values ('${last}', '2026-11-30T00:00:00.000Z')`);
  }
  await execute(config, `insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2026-11-30T00:00:00.000Z')`);
  try {
    const newer = await databaseChecks(config);
    assert.deepEqual(newer.findings.map((f) => [f.check, f.scope]), [['database-migrations-unknown', 'always']]);
    assert.match(newer.findings[0]?.problem ?? '', /9999_from_the_future/);
  } finally {
    await execute(config, `delete from kysely_migration where name = '9999_from_the_future'`);
  }
});

test('a database that cannot be reached fails even in development', async () => {
  const env = { ...(await devEnv()), BURROW_DATABASE_URL: `postgres://burrow:pw@127.0.0.1:${String(await closedPort())}/burrow` };
  const report = await doctorReport(parseConfig(env), false);
  assert.equal(report.failed, true, report.text);
  assert.match(report.text, /✗ \[database-connect\] PostgreSQL 127\.0\.0\.1:\d+\/burrow cannot be reached/);
  assert.ok(!report.text.includes(':pw@'), 'the password is never printed');
});

test('a server that answers /readyz with 503, or 200 but degraded, is a finding in any mode; a closed port is only a note', async () => {
  const http = createHttpServer((req, res) => {
    res.writeHead(req.url === '/readyz' ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${String((http.address() as AddressInfo).port)}`;
    const sick = await healthChecks(server.config, 3000, base);
    assert.deepEqual(sick.findings.map((f) => [f.check, f.scope]), [['health', 'always']]);
    assert.match(sick.findings[0]?.problem ?? '', /\/readyz answered 503/);
  } finally {
    await new Promise((resolve) => http.close(resolve));
  }
  // Ready but degraded (the node's bus cannot reach NATS, health/routes.ts): a finding that says so.
  const degraded = createHttpServer((req, res) => {
    const body = req.url === '/readyz' ? { status: 'degraded', bus: 'NATS unreachable since 2026-12-01T22:00:00.000Z' } : { status: 'ok' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => degraded.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${String((degraded.address() as AddressInfo).port)}`;
    const told = await healthChecks(server.config, 3000, base);
    assert.deepEqual(told.findings.map((f) => [f.check, f.scope]), [['health', 'always']]);
    assert.match(told.findings[0]?.problem ?? '', /\/readyz: degraded: NATS unreachable since 2026-12-01T22:00:00\.000Z/);
  } finally {
    await new Promise((resolve) => degraded.close(resolve));
  }
  const none = await healthChecks(server.config, 3000, `http://127.0.0.1:${String(await closedPort())}`);
  assert.deepEqual(none.findings, []);
  assert.match(none.notes.join('\n'), /no server answers/);
});

test('`burrow doctor` as a process: exit 0 in development with notes, exit 1 with --production', async () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const env = await devEnv();
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'packages/server/bin/burrow.mjs'), 'doctor', ...args], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
  const [dev, production] = await Promise.all([run([]), run(['--production'])]);
  assert.equal(dev.code, 0, dev.out);
  assert.match(dev.out, /— production only: \[http-tls\]/);
  assert.equal(production.code, 1, production.out);
  assert.match(production.out, /✗ \[http-tls\]/);
});
