/**
 * The rate-limit plugin with sharedRateLimitOptions: two server nodes (two Fastify apps on loopback,
 * each with its own Redis client) count one client against the same window, for the global rule and
 * a route's own; with Redis unreachable, each node still limits on its own (never a 500).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, test } from 'node:test';
import rateLimitPlugin from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sharedRateLimitOptions } from './rate-limit-store.js';
import { createRedisClient } from './redis-client.js';

const REDIS_URL = process.env.BURROW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quietLog = { info: () => undefined, warn: () => undefined };
const opened: { app: FastifyInstance; redis: Redis }[] = [];

after(async () => {
  for (const { app, redis } of opened) {
    await app.close();
    redis.disconnect();
  }
});

/** A node on a free port; `connected`: wait for its Redis client (before that, the node counts alone). */
async function node(redisUrl: string, keyPrefix: string, connected = true): Promise<string> {
  const redis = createRedisClient(redisUrl, quietLog);
  const app = Fastify();
  opened.push({ app, redis });
  // An unreachable Redis is a one-line failure, never a hang or a skip.
  if (connected)
    await once(redis, 'ready', { signal: AbortSignal.timeout(5000) }).catch(() =>
      assert.fail(`Redis is not reachable at ${redisUrl} (set BURROW_TEST_REDIS_URL)`),
    );
  await app.register(rateLimitPlugin, { global: true, max: 3, timeWindow: 60_000, ...sharedRateLimitOptions(redis, keyPrefix) });
  app.get('/ping', () => ({ ok: true }));
  app.get('/once', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, () => ({ ok: true }));
  return app.listen({ host: '127.0.0.1', port: 0 });
}

void test('two nodes sharing Redis hold one client to one limit, not one limit each', async () => {
  const keyPrefix = `burrow-test:${String(process.pid)}-${randomUUID().slice(0, 8)}:`;
  const [a, b] = await Promise.all([node(REDIS_URL, keyPrefix), node(REDIS_URL, keyPrefix)]);
  const statuses: number[] = [];
  for (const url of [a, b, a, b, a]) statuses.push((await fetch(`${url}/ping`)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const once = [(await fetch(`${a}/once`)).status, (await fetch(`${b}/once`)).status];
  assert.deepEqual(once, [200, 429]);
});

void test('with Redis unreachable, each node still limits on its own, never failing a request', async () => {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const url = await node('redis://127.0.0.1:1', 'burrow-test:down:', false);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await fetch(`${url}/ping`)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
});
