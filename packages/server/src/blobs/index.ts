export * from './blobs.js';
export * from './fs-blobs.js';
export * from './memory-blobs.js';
export * from './s3-blobs.js';
export * from './open-blobs.js';
