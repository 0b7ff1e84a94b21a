/**
 * The anomaly windows and blocks are the same on every node (issue #12): two servers on one database
 * count into one Redis (its own key prefix for this run), so failed sign-ins spread over both nodes
 * trip the per-address detector at the threshold of one, and the block it sets on one node refuses
 * the address on the other. Windows and blocks live in Redis, whose clock is real: the blocks here
 * last 15 minutes, far beyond the test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createRedisLimitStore, type LimitStore } from '../limits/index.js';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../limits/redis-client.js';
import { expectStatus } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { defaultWatchConfig, mergeAnomalyConfig } from './config.js';

const REDIS_URL = process.env.BURROW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const quiet = { info: () => undefined, warn: () => undefined };
const watch = {
  ...defaultWatchConfig,
  anomalies: mergeAnomalyConfig({
    failedSignInsPerIp: { alertAt: 5, incidentAt: 1000, windowMs: 10 * MINUTE, blockMs: 15 * MINUTE },
    failedSignInsGlobal: { alertAt: 1000, incidentAt: 1000, windowMs: 10 * MINUTE, blockMs: 0 },
  }),
};

let scratch: string;
let a: TestServer;
let b: TestServer;
const stores: LimitStore[] = [];
const clients: Redis[] = [];

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'burrow-shared-windows-'));
  const keyPrefix = `burrow-test:anomalies-${randomUUID().slice(0, 8)}:`;
  // Each node has its own Redis client, as two processes would.
  const store = (): LimitStore => {
    const redis = createRedisClient(REDIS_URL, quiet);
    clients.push(redis);
    const s = createRedisLimitStore({ redis, keyPrefix });
    stores.push(s);
    return s;
  };
  a = await startTestServer({ watch, limits: store() });
  b = await startTestServer({ watch, limits: store(), existing: { dataDir: mkdtempSync(join(scratch, 'node-b-')), database: a.config.database } });
  // Both clients connected before the first request. Without an offline queue a command sent while a
  // client is still connecting (or waiting to reconnect after a connect that timed out while the two
  // servers' start held the event loop on a loaded machine) fails at once: a failed sign-in is then
  // not counted, the count stops at 4 and the address is never blocked ("no block within 15 s").
  await Promise.all(clients.map((c) => (c.status === 'ready' ? Promise.resolve() : new Promise((resolve) => c.once('ready', resolve)))));
});
after(async () => {
  await b.close();
  await a.close();
  await Promise.all(stores.map((s) => s.close()));
  rmSync(scratch, { recursive: true, force: true });
});

const failedSignIn = (call: Call, i: number) =>
  call('POST', '/v1/sessions', { body: { email: `nobody-${String(i)}@example.com`, password: 'guess guess guess guess' } });

test('five failed sign-ins spread over two nodes block the address on both, as five on one node would', async () => {
  const calls = [httpClient(a.url), httpClient(b.url)];
  // 3 on node A and 2 on node B: below the threshold of 5 on either alone.
  for (let i = 0; i < 5; i++) expectStatus(await failedSignIn(calls[i % 2]!, i), 401);
  // Detection runs after each answer is sent: wait until the fifth has set the block. The probe is
  // a sign-in operation the address block covers but that counts no failure (a malformed reset
  // request: 400 until the block, then 429), so it cannot reach the threshold on node B by itself.
  const deadline = Date.now() + 15_000;
  let refused: Answer | null = null;
  while (refused === null && Date.now() < deadline) {
    const r = await calls[1]!('POST', '/v1/password-resets', { body: {} });
    if (r.status === 429) refused = r;
    else {
      assert.equal(r.status, 400);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  assert.ok(refused, 'node B refuses the address');
  assert.ok(Number(refused.headers.get('retry-after')) > 14 * 60, 'for about 15 minutes');
  const onA = await failedSignIn(calls[0]!, 100);
  assert.equal(onA.status, 429, 'node A refuses it too');
  assert.ok(Number(onA.headers.get('retry-after')) > 14 * 60);
});
