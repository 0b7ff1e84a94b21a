import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../app.js';
import { createMemoryBlobs } from '../blobs/index.js';
import { createMemoryBus } from '../bus/index.js';
import { systemClock } from '../clock/index.js';
import { defaultRateLimits, unsetDeployment, type Config } from '../load-config.js';
import { migrate, openDb } from '../db/index.js';
import { createLogger } from '../logger.js';
import { createMemoryMailer } from '../mail/index.js';
import { PASSWORD } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer } from '../testing/start-test-server.js';

test('log in is rate-limited per address: guessing stops with 429 rate_limited', async () => {
  const server = await startTestServer({
    rateLimits: { logIn: { max: 5, windowMs: 60_000 }, signUp: { max: 2, windowMs: 60_000 } },
  });
  try {
    const call = httpClient(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await call('POST', '/v1/sessions', {
            body: { email: 'target@example.com', password: `guess-${i}` },
          })
        ).status,
      );
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const limited = await call<{ error: { code: string } }>('POST', '/v1/sessions', {
      body: { email: 'target@example.com', password: 'guess' },
    });
    assert.equal(limited.json.error.code, 'rate_limited');
    const signUps: number[] = [];
    for (let i = 0; i < 3; i++)
      signUps.push(
        (await call('POST', '/v1/accounts', { body: { email: `s${i}@example.com`, password: PASSWORD } }))
          .status,
      );
    assert.deepEqual(signUps, [201, 201, 429]);
  } finally {
    await server.close();
  }
});

test('under TLS the session cookie is Secure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-tls-'));
  try {
    // openssl makes a throwaway certificate; .ci/run installs it when missing.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const config: Config = Object.freeze({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      database: { kind: 'sqlite' as const, path: join(dir, 'burrow.db') },
      tls: { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') },
      logLevel: 'silent',
      rateLimits: defaultRateLimits,
      ...unsetDeployment,
    });
    const { db, dialect } = openDb(config.database);
    await migrate(db, dialect);
    const app = await buildApp({
      config,
      db,
      blobs: createMemoryBlobs(),
      bus: createMemoryBus(),
      clock: systemClock,
      logger: createLogger('silent'),
      mailer: createMemoryMailer(),
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/accounts',
        payload: { email: 'tls@example.com', password: PASSWORD },
      });
      assert.equal(res.statusCode, 201);
      assert.match(String(res.headers['set-cookie']), /; Secure/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=/);
    } finally {
      await app.close();
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
