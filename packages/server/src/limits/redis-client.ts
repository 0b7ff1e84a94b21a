/**
 * The one Redis client of a node (BURROW_REDIS_URL), shared by the rate-limit plugin and the
 * LimitStore. Tuned so Redis being down costs a request milliseconds, not a hang: commands are not
 * queued while disconnected and fail after one try, and the client reconnects by itself forever.
 */
import { Redis } from 'ioredis';

/** What the client logs (a pino Logger fits). */
export interface RedisLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function createRedisClient(url: string, log: RedisLog): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    // Reconnect forever, backing off to one attempt every 2 s.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Log the first error after each connection, not one per reconnect attempt.
  let wasReady = true;
  redis.on('ready', () => {
    wasReady = true;
    log.info({}, 'limits: connected to Redis');
  });
  redis.on('error', (err: Error) => {
    if (!wasReady) return;
    wasReady = false;
    log.warn({ err: err.message }, 'limits: Redis unavailable; each node counts rate limits alone until it is back');
  });
  return redis;
}
