export * from './blobs.js';
export * from './fs-blobs.js';
export * from './memory-blobs.js';
