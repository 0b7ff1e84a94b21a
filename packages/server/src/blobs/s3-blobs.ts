import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertBlobKey, type Blobs } from './blobs.js';

export interface S3Options {
  bucket: string;
  /** null: AWS's endpoint for `region`. Any S3-compatible service (MinIO, Ceph, R2, s3rver) otherwise. */
  endpoint: string | null;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * An S3 client for Burrow's bucket. Path-style addressing (`endpoint/bucket/key`) so S3-compatible
 * services that have no per-bucket DNS work too.
 */
export function createS3Client(options: S3Options): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
  });
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Blobs as objects in an S3 bucket. A PUT is atomic in S3 (readers see the old object or the new
 * one), which is the property the filesystem adapter gets from rename. The bucket must not be public:
 * `burrow doctor` checks it (docs/operations.md).
 */
export function createS3Blobs(client: S3Client, bucket: string): Blobs {
  return {
    async put(key, bytes) {
      assertBlobKey(key);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes.slice(),
          ContentType: 'application/octet-stream',
        }),
      );
    },
    async get(key) {
      assertBlobKey(key);
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!answer.Body) return undefined;
        return new Uint8Array(await answer.Body.transformToByteArray());
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async has(key) {
      assertBlobKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      assertBlobKey(key);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
