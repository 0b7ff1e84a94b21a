import { join } from 'node:path';
import type { CoreConfig as Config } from '../config.js';
import type { Blobs } from './blobs.js';
import { createFsBlobs } from './fs-blobs.js';
import { createS3Blobs, createS3Client } from './s3-blobs.js';

/** The configured blob store: files under `<dataDir>/blobs`, or the S3 bucket. */
export function openBlobs(config: Pick<Config, 'dataDir' | 'blobStore'>): Blobs {
  const store = config.blobStore;
  if (store.kind === 's3') return createS3Blobs(createS3Client(store), store.bucket);
  return createFsBlobs(join(config.dataDir, 'blobs'));
}
