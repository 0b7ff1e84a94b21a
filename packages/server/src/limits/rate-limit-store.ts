/**
 * @fastify/rate-limit's options that put its counters in Redis (its own RedisStore, fed our client):
 * every node then counts each client address against the same window. While Redis is unreachable a
 * request is let through rather than failed with a 500 (`skipOnError`): the bus and the limits must
 * never take the service down, and the guessing defences that matter most — the account sign-in
 * throttle (accounts/throttle.ts) and the per-device send limit — are counted in the database.
 */
import type { Redis } from 'ioredis';

export interface SharedRateLimitOptions {
  readonly redis: Redis;
  readonly nameSpace: string;
  readonly skipOnError: true;
}

export function sharedRateLimitOptions(redis: Redis, keyPrefix: string): SharedRateLimitOptions {
  return { redis, nameSpace: `${keyPrefix}rl:`, skipOnError: true };
}
