export * from './blobs.js';
export * from './fs-blobs.js';
export * from './memory-blobs.js';
// Not re-exported here: s3-blobs.ts and open-blobs.ts (which reaches it). They load the AWS SDK
// (about 700 modules, a CPU-second per process), which only the entry points that may open an S3
// bucket need (main.ts, the backup commands, doctor); they import those files directly.
