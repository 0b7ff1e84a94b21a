/** Batched durability for filesystem blobs: concurrent puts share their syncs, and a failure stays its own. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { openFd, writeAll } from './raw-fs.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createFsBlobs } from './fs-blobs.js';
import { createSyncBatcher, type PendingFile } from './fs-sync-batch.js';

const root = mkdtempSync(join(tmpdir(), 'burrow-sync-batch-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

async function pending(dir: string, name: string, bytes: Uint8Array): Promise<PendingFile> {
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.tmp-${randomBytes(4).toString('hex')}`);
  const fd = await openFd(temp, 'wx', 0o600);
  await writeAll(fd, bytes);
  return { fd, temp, path: join(dir, name), dir };
}

test('concurrent files share batches: every one lands whole under its name, no temp file left', async () => {
  const batcher = createSyncBatcher();
  const dirs = [join(root, 'a'), join(root, 'b')];
  const files = await Promise.all(
    Array.from({ length: 24 }, async (_, i) => {
      const bytes = new Uint8Array(randomBytes(4096));
      return { bytes, file: await pending(dirs[i % 2]!, `blob${String(i)}`, bytes) };
    }),
  );
  await Promise.all(files.map(({ file }) => batcher.commit(file)));
  for (const { bytes, file } of files) assert.deepEqual(new Uint8Array(readFileSync(file.path)), bytes);
  for (const dir of dirs) assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.tmp-')), []);
  const stats = batcher.stats();
  assert.equal(stats.files, 24);
  // The first file starts a batch alone (no added latency when idle); the rest share the next one.
  assert.ok(stats.batches < 24, `24 files in ${String(stats.batches)} batches`);
  assert.ok(stats.largestBatch > 1);
});

test('a file that cannot be renamed fails alone: its temp file goes, the others of its batch land', async () => {
  const batcher = createSyncBatcher();
  const dir = join(root, 'c');
  const good = await pending(dir, 'good', new Uint8Array([1, 2, 3]));
  const bad = await pending(dir, 'bad', new Uint8Array([4]));
  const doomed = { ...bad, path: join(root, 'no-such-folder', 'bad') };
  const results = await Promise.allSettled([batcher.commit(good), batcher.commit(doomed)]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
  assert.deepEqual(readdirSync(dir), ['good']);
});

test('sweep removes temp files a crash left and lists the stored keys folder by folder', async () => {
  const blobsRoot = join(root, 'store');
  const blobs = createFsBlobs(blobsRoot);
  await Promise.all(['fam1/h1', 'fam1/h2', 'fam2/h3'].map((key) => blobs.put(key, new Uint8Array(randomBytes(100)))));
  writeFileSync(join(blobsRoot, 'fam1', '.tmp-interrupted'), 'half a blob');
  const listed: string[] = [];
  for await (const keys of blobs.sweep!()) listed.push(...keys);
  assert.deepEqual(listed.sort(), ['fam1/h1', 'fam1/h2', 'fam2/h3']);
  assert.equal(existsSync(join(blobsRoot, 'fam1', '.tmp-interrupted')), false);
});
