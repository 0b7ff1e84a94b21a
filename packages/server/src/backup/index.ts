export * from './format.js';
export * from './progress.js';
export * from './backup.js';
export * from './verify.js';
export * from './restore.js';
export * from './keys.js';
export { createRestoreFsBlobs, openRestoreBlobs, syncFileSystems, type RestoreBlobs } from './restore-fs.js';
