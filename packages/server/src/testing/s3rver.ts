/**
 * A real S3-compatible server for tests (s3rver, on 127.0.0.1, a free port, its own temp folder).
 * s3rver speaks the S3 protocol but does not check signatures, and it answers NotImplemented for the
 * bucket policy status and public-access-block calls: to `burrow doctor` it is exactly a bucket that
 * anyone can read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Options } from '../blobs/s3-blobs.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface TestS3 {
  options: S3Options;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'burrow-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'burrow-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const address = await server.run();
  return {
    options: {
      bucket,
      endpoint: `http://127.0.0.1:${String(address.port)}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
