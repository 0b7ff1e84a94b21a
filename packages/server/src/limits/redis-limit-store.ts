/**
 * The LimitStore shared by every node, in Redis (BURROW_REDIS_URL). Each operation is one atomic
 * round trip: the window's INCR and its PEXPIRE run in one Lua script, so a crash between them cannot
 * leave a counter that never expires. Keys are `<prefix>w:<key>` (windows) and `<prefix>b:<key>`
 * (blocks). Failures reject (Redis down): the caller decides whether to fail open or closed.
 */
import type { Redis } from 'ioredis';
import { assertLimitArgs, type LimitStore } from './limit-store.js';

/** INCR, open the window on the first hit, answer {count, ms left}. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** A block's reason and time left, or nil when the key is not blocked. */
const BLOCKED = `
local reason = redis.call('GET', KEYS[1])
if not reason then return nil end
return {reason, redis.call('PTTL', KEYS[1])}
`;

export interface RedisLimitStoreOptions {
  readonly redis: Redis;
  /** Prepended to every key (BURROW_REDIS_KEY_PREFIX), so deployments and test runs stay apart. */
  readonly keyPrefix: string;
  /** close() quits the client too (default true); false when the client is shared and closed elsewhere. */
  readonly ownsClient?: boolean;
}

export function createRedisLimitStore({ redis, keyPrefix, ownsClient = true }: RedisLimitStoreOptions): LimitStore {
  const windowKey = (key: string): string => `${keyPrefix}w:${key}`;
  const blockKey = (key: string): string => `${keyPrefix}b:${key}`;
  return {
    async hit(key, windowMs) {
      assertLimitArgs(key, windowMs);
      const [count, ttl] = (await redis.eval(HIT, 1, windowKey(key), String(windowMs))) as [number, number];
      return { count, resetInMs: ttl };
    },
    async reset(key) {
      await redis.del(windowKey(key), blockKey(key));
    },
    async block(key, ms, reason = 'blocked') {
      assertLimitArgs(key, ms);
      await redis.set(blockKey(key), reason, 'PX', ms);
    },
    async blockedFor(key) {
      const ttl = await redis.pttl(blockKey(key));
      return ttl > 0 ? ttl : 0;
    },
    async blocked(key) {
      const found = (await redis.eval(BLOCKED, 1, blockKey(key))) as [string, number] | null;
      if (found === null || found[1] <= 0) return null;
      return { ms: found[1], reason: found[0] };
    },
    async close() {
      if (ownsClient && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
