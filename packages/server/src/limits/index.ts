export * from './config.js';
export * from './fallback-limit-store.js';
export * from './limit-store.js';
export * from './memory-limit-store.js';
export * from './rate-limit-store.js';
export * from './redis-limit-store.js';
// Not re-exported here: redis-client.ts. It loads ioredis, which only main.ts (with BURROW_REDIS_URL)
// and the Redis tests need; they import it directly, so the app does not load it.
