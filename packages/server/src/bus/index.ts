export * from './bus.js';
export * from './memory-bus.js';
export * from './config.js';
export * from './nats-bus.js';
export * from './subjects.js';
