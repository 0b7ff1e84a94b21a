/** @burrow/server — the HTTP and WebSocket server, its ports and adapters. */
export { buildApp, buildServer, type AppServices, type BuildAppOptions, type BuiltServer } from './app.js';
export {
  parseConfig,
  describeConfig,
  defaultRateLimits,
  ConfigError,
  type Config,
  type DatabaseConfig,
  type RateLimits,
  type RateLimitRule,
} from './load-config.js';
export {
  openDb,
  migrate,
  migrationsFor,
  isUniqueViolation,
  type Db,
  type Database,
  type Dialect,
  type OpenDb,
} from './db/index.js';
export { createFsBlobs, createMemoryBlobs, type Blobs } from './blobs/index.js';
export { createMemoryBus, topics, type Bus, type StreamEvent, type Unsubscribe } from './bus/index.js';
export { systemClock, ManualClock, type Clock } from './clock/index.js';
export { AppError, isAppError, errorStatus, type ErrorCode } from './errors/index.js';
export { createLogger } from './logger.js';
export type { App } from './http/types.js';
export { startTestServer, type TestServer, type TestServerOptions } from './testing/start-test-server.js';
