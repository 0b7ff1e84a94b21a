/** The contract every Blobs adapter passes, run against each adapter; plus the filesystem's own promises. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Blobs } from './blobs.js';
import { createFsBlobs } from './fs-blobs.js';
import { createMemoryBlobs } from './memory-blobs.js';
import { createS3Blobs, createS3Client } from './s3-blobs.js';
import { startTestS3 } from '../testing/s3rver.js';

// A real S3-compatible server (s3rver) for the S3 adapter.
const s3 = await startTestS3();
const s3Client = createS3Client(s3.options);
after(async () => {
  s3Client.destroy();
  await s3.close();
});

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'burrow-blobs-'));
  roots.push(root);
  return join(root, 'blobs');
}

const adapters: Record<string, () => Blobs> = {
  filesystem: () => createFsBlobs(tempRoot()),
  memory: () => createMemoryBlobs(),
  's3 (s3rver)': () => createS3Blobs(s3Client, s3.options.bucket),
};

for (const [name, make] of Object.entries(adapters)) {
  describe(`Blobs contract: ${name}`, () => {
    test('put then get returns the same bytes; has is true', async () => {
      const blobs = make();
      const bytes = new Uint8Array(randomBytes(10_000));
      await blobs.put('fam/abc', bytes);
      assert.deepEqual(await blobs.get('fam/abc'), bytes);
      assert.equal(await blobs.has('fam/abc'), true);
    });

    test('a missing key: get is undefined, has is false, delete is a no-op', async () => {
      const blobs = make();
      assert.equal(await blobs.get('fam/missing'), undefined);
      assert.equal(await blobs.has('fam/missing'), false);
      await blobs.delete('fam/missing');
    });

    test('put replaces; delete removes', async () => {
      const blobs = make();
      await blobs.put('k', new Uint8Array([1, 2, 3]));
      await blobs.put('k', new Uint8Array([4]));
      assert.deepEqual(await blobs.get('k'), new Uint8Array([4]));
      await blobs.delete('k');
      assert.equal(await blobs.has('k'), false);
    });

    test('stored bytes do not alias the caller’s buffer', async () => {
      const blobs = make();
      const bytes = new Uint8Array([1, 2, 3]);
      await blobs.put('k', bytes);
      bytes[0] = 9;
      const got = await blobs.get('k');
      assert.deepEqual(got, new Uint8Array([1, 2, 3]));
    });

    test('keys that could escape the store are refused', async () => {
      const blobs = make();
      for (const key of ['../x', 'a/../../x', '/abs', 'a//b', '', 'a/b/c/d/e', 'with space', 'dot.dot']) {
        await assert.rejects(blobs.put(key, new Uint8Array([1])), /Invalid blob key/, key);
        await assert.rejects(blobs.get(key), /Invalid blob key/, key);
      }
    });
  });
}

test('filesystem blobs: files are 0600, directories 0700, and no temp file is left behind', async () => {
  const root = tempRoot();
  const blobs = createFsBlobs(root);
  await blobs.put('family1/hash1', new Uint8Array(randomBytes(100)));
  await blobs.put('family1/hash2', new Uint8Array(randomBytes(100)));
  assert.equal(statSync(root).mode & 0o777, 0o700);
  assert.equal(statSync(join(root, 'family1')).mode & 0o777, 0o700);
  assert.equal(statSync(join(root, 'family1', 'hash1')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(root, 'family1')).sort(), ['hash1', 'hash2']);
});

test('filesystem blobs: concurrent puts of the same key leave one whole blob', async () => {
  const blobs = createFsBlobs(tempRoot());
  const versions = Array.from({ length: 8 }, () => new Uint8Array(randomBytes(64 * 1024)));
  await Promise.all(versions.map((v) => blobs.put('f/same', v)));
  const got = await blobs.get('f/same');
  assert.ok(
    versions.some((v) => Buffer.from(v).equals(Buffer.from(got ?? []))),
    'one of the versions, never a mix',
  );
});

test('filesystem blobs: get reads the whole file, large or empty, into an array of exactly its bytes', async () => {
  const blobs = createFsBlobs(tempRoot());
  // Larger than one read of a pipe or socket would return, and than libuv's 2 GiB cap is far from.
  const large = new Uint8Array(randomBytes(5 * 1024 * 1024 + 3));
  await blobs.put('f/large', large);
  await blobs.put('f/empty', new Uint8Array(0));
  const got = await blobs.get('f/large');
  assert.ok(got && Buffer.from(got).equals(Buffer.from(large)), 'byte-identical');
  // Its own memory, not a view into a shared pool: callers may hand the buffer on whole.
  assert.equal(got.byteLength, got.buffer.byteLength);
  assert.equal((await blobs.get('f/empty'))?.length, 0);
});
