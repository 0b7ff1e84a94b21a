export * from './schema.js';
export * from './open-db.js';
export * from './migrate.js';
export * from './errors.js';
export * from './erase.js';
export { unrecorded } from './query-shapes.js';
