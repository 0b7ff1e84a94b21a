/**
 * @fastify/rate-limit's counters in the shared LimitStore (Redis with BURROW_REDIS_URL), so every node
 * counts each client address against the same window. While Redis fails, each node counts in its own
 * memory instead: limits loosen to one window per node for the outage, but never vanish and never
 * turn into 500s. The guessing defences that matter most — the sign-in throttle
 * (accounts/throttle.ts) and the per-device send limit — are counted in the database regardless.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { LimitStore } from './limit-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { createRedisLimitStore } from './redis-limit-store.js';

/** What the store logs (a pino Logger fits). */
export interface RateLimitLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Spread into the plugin's options (app.ts). */
export interface SharedRateLimitOptions {
  readonly store: FastifyRateLimitStoreCtor;
  /** Last resort: if even the memory fallback failed, serve rather than answer 500. */
  readonly skipOnError: true;
}

const silent: RateLimitLog = { info: () => undefined, warn: () => undefined };

/** A plugin store class over `shared`, falling back to `fallback` while `shared` rejects. */
export function rateLimitStoreOver(shared: LimitStore, fallback: LimitStore, log: RateLimitLog = silent): FastifyRateLimitStoreCtor {
  let degraded = false;
  const hit = async (key: string, windowMs: number) => {
    try {
      const counted = await shared.hit(key, windowMs);
      if (degraded) log.info({}, 'limits: shared rate-limit counters are back');
      degraded = false;
      return counted;
    } catch (err) {
      if (!degraded) log.warn({ err: err instanceof Error ? err.message : String(err) }, 'limits: shared counters unavailable; each node counts rate limits alone until they are back');
      degraded = true;
      return fallback.hit(key, windowMs);
    }
  };

  class SharedStore implements FastifyRateLimitStore {
    private readonly prefix: string;
    // The plugin constructs the global store with its options, and route stores through child().
    constructor(prefix: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : 'rl:';
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      hit(`${this.prefix}${key}`, timeWindow).then(
        (h) => {
          callback(null, { current: h.count, ttl: h.resetInMs });
        },
        (err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        },
      );
    }
    child(routeOptions: unknown): FastifyRateLimitStore {
      // A route with its own rule counts apart from the global one, keyed by method and URL.
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo ?? {};
      return new SharedStore(`${this.prefix}${String(route.method)}${String(route.url)}-`);
    }
  }
  return SharedStore;
}

/** The plugin options for BURROW_REDIS_URL: Redis shared by all nodes, this process's memory as fallback. */
export function sharedRateLimitOptions(redis: Redis, keyPrefix: string, log: RateLimitLog = silent): SharedRateLimitOptions {
  const shared = createRedisLimitStore({ redis, keyPrefix, ownsClient: false });
  return { store: rateLimitStoreOver(shared, createMemoryLimitStore(), log), skipOnError: true };
}
