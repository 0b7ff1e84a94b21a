export * from './config.js';
export * from './fallback-limit-store.js';
export * from './limit-store.js';
export * from './memory-limit-store.js';
export * from './rate-limit-store.js';
export * from './redis-client.js';
export * from './redis-limit-store.js';
