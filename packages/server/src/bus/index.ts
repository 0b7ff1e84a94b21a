export * from './bus.js';
export * from './memory-bus.js';
export * from './config.js';
// Not re-exported here: nats-bus.ts. It loads the NATS client, which only main.ts (when BURROW_NATS_URL
// is set) and the bus's own tests need; they import it directly, so the app does not load it.
export * from './subjects.js';
export * from './catch-up.js';
