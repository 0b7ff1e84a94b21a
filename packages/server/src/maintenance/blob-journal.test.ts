/**
 * The crash sweep reads only the folders a journal says had writes (blob-journal.ts): a process
 * killed in the middle of its writes leaves an unindexed blob and a temp file, and the next start
 * removes both, without looking at folders nobody wrote to. On SQLite, and on PostgreSQL when
 * BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createFsBlobs } from '../blobs/index.js';
import type { Db } from '../db/index.js';
import { insertFamily } from '../families/store.js';
import { blobKey, insertBlob, removeOrphanBlobs } from '../messages/store.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { createBlobJournal } from './blob-journal.js';

let scratch: ScratchDb;
let root: string;
let journalDir: string;
let db: Db;

before(async () => {
  scratch = await openScratchDb('blob-journal');
  ({ db } = scratch);
  root = join(scratch.dir, 'blobs');
  journalDir = join(scratch.dir, 'blob-journal');
  for (const family of ['written', 'untouched']) await insertFamily(db, family, 0);
});

after(() => scratch.close());

const sweepWith = (folders: readonly string[] | null) => removeOrphanBlobs(db, createFsBlobs(root), folders ?? undefined);
const indexed = async (familyId: string, hash: string): Promise<void> => {
  await createFsBlobs(root).put(blobKey(familyId, hash), new Uint8Array(randomBytes(10)));
  await insertBlob(db, { familyId, hash, size: 10, uploadedBy: 'device', createdAt: 0 });
};

/**
 * A process that writes through the journal and is killed (SIGKILL) in the middle: one blob put
 * whose index row never came, then a large put killed once its temp file exists.
 */
function killedWriter(): Promise<void> {
  const module = new URL('./blob-journal.js', import.meta.url);
  const blobsModule = new URL('../blobs/index.js', import.meta.url);
  // Compiled by npm test (scripts/build-tests.mjs), else the source through tsx.
  const loader = existsSync(fileURLToPath(module)) ? [] : ['--import', 'tsx'];
  const script = `
    import { readdirSync } from 'node:fs';
    import { createBlobJournal } from ${JSON.stringify(module.href)};
    import { createFsBlobs } from ${JSON.stringify(blobsModule.href)};
    const journal = createBlobJournal(createFsBlobs(${JSON.stringify(root)}), ${JSON.stringify(journalDir)});
    await journal.start(async () => 0);
    await journal.blobs.put('written/never-indexed', new Uint8Array(10));
    const big = journal.blobs.put('written/interrupted', new Uint8Array(256 * 1024 * 1024));
    const folder = ${JSON.stringify(join(root, 'written'))};
    const watch = () => (readdirSync(folder).some((n) => n.startsWith('.tmp-')) ? process.kill(process.pid, 'SIGKILL') : setImmediate(watch));
    watch();
    await big;
    console.log('the put finished before the kill');
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the writer was not killed: ${out}`))));
  });
}

void test('the first start sweeps every folder once (no journal yet); later starts with an empty journal sweep none', async () => {
  await createFsBlobs(root).put(blobKey('untouched', 'old-orphan'), new Uint8Array(10));
  const first = createBlobJournal(createFsBlobs(root), journalDir);
  assert.deepEqual(await first.start(sweepWith), { removed: 1, folders: 'all' });
  assert.equal(await createFsBlobs(root).has(blobKey('untouched', 'old-orphan')), false);
  await first.close();
  const second = createBlobJournal(createFsBlobs(root), journalDir);
  assert.deepEqual(await second.start(sweepWith), { removed: 0, folders: 0 });
  await second.close();
});

void test('a write killed mid-way: the next start removes its unindexed blob and temp file, keeps indexed ones, and reads no other folder', async () => {
  await indexed('written', 'kept');
  await indexed('untouched', 'kept-too');
  // Bytes without a row where the journal never pointed: proof that the sweep does not list every folder.
  await createFsBlobs(root).put(blobKey('untouched', 'not-looked-at'), new Uint8Array(10));
  await killedWriter();
  const folder = join(root, 'written');
  assert.ok(readdirSync(folder).some((n) => n.startsWith('.tmp-')), 'the kill left a temp file');
  assert.equal(await createFsBlobs(root).has(blobKey('written', 'never-indexed')), true);

  const next = createBlobJournal(createFsBlobs(root), journalDir);
  assert.deepEqual(await next.start(sweepWith), { removed: 1, folders: 1 });
  assert.deepEqual(readdirSync(folder).sort(), ['kept']);
  assert.equal(await createFsBlobs(root).has(blobKey('untouched', 'kept-too')), true);
  assert.equal(await createFsBlobs(root).has(blobKey('untouched', 'not-looked-at')), true);
  // The killed run's journal was read and removed; this run's is the only one, still empty.
  const journals = readdirSync(journalDir);
  assert.equal(journals.length, 1);
  // Writes through it are journaled once per folder.
  await next.blobs.put(blobKey('untouched', 'a'), new Uint8Array(1));
  await next.blobs.put(blobKey('untouched', 'b'), new Uint8Array(1));
  await Promise.all([next.blobs.put(blobKey('written', 'c'), new Uint8Array(1)), next.blobs.put(blobKey('written', 'd'), new Uint8Array(1))]);
  await next.close();
  const after = createBlobJournal(createFsBlobs(root), journalDir);
  // Its four blobs have no rows: a start after it sweeps both folders and removes them (and the
  // never-indexed one in 'untouched', now that a write pointed the journal there).
  assert.deepEqual(await after.start(sweepWith), { removed: 5, folders: 2 });
  await after.close();
});
