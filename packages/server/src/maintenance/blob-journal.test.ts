/**
 * The crash sweep reads only the folders a journal says had writes (blob-journal.ts): a process
 * killed in the middle of its writes leaves an unindexed blob and a temp file, and the next start
 * removes both, without looking at folders nobody wrote to. Rotation forgets the folders whose puts
 * are all indexed and keeps the others, and a process killed at any step of a rotation still leaves
 * every unsettled folder named on disk. On SQLite, and on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createFsBlobs } from '../blobs/index.js';
import type { Db } from '../db/index.js';
import { insertFamily } from '../families/store.js';
import { blobKey, indexedBlobKeys, insertBlob, removeOrphanBlobs } from '../messages/store.js';
import { expectStatus, family, sealedVoice } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { startTestServer } from '../testing/start-test-server.js';
import { createBlobJournal, type RotationStep } from './blob-journal.js';

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
const sweepIn = (blobRoot: string) => (folders: readonly string[] | null) => removeOrphanBlobs(db, createFsBlobs(blobRoot), folders ?? undefined);
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
    await journal.start(() => Promise.resolve(0));
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

/** A blob store and journal folder of their own, so each rotation test starts from nothing. */
function freshPlace(label: string): { root: string; journalDir: string } {
  const place = join(scratch.dir, label);
  mkdirSync(place);
  return { root: join(place, 'blobs'), journalDir: join(place, 'blob-journal') };
}

const journalFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.journal'));
/** The folders named by the journal files in `dir`, sorted. */
const journaled = (dir: string): string[] =>
  [...new Set(journalFiles(dir).flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean)))].sort();

void test('rotation forgets folders whose puts are all indexed, keeps the others until their rows come, and rotates by itself', async () => {
  const place = freshPlace('rotation');
  for (const family of ['rot-settled', 'rot-pending']) await insertFamily(db, family, 0);
  const indexed = (keys: readonly string[]) => indexedBlobKeys(db, keys);
  const journal = createBlobJournal(createFsBlobs(place.root), place.journalDir, { indexed, rotateEveryMs: 0 });
  await journal.start(() => Promise.resolve(0));
  // An upload as messages/service.ts makes it (bytes, then the row), and one whose row has not come.
  await journal.blobs.put(blobKey('rot-settled', 'a'), new Uint8Array(3));
  await insertBlob(db, { familyId: 'rot-settled', hash: 'a', size: 3, uploadedBy: 'device', createdAt: 0 });
  await journal.blobs.put(blobKey('rot-pending', 'b'), new Uint8Array(3));
  assert.deepEqual(journaled(place.journalDir), ['rot-pending', 'rot-settled']);
  const before = journalFiles(place.journalDir);

  assert.deepEqual(await journal.rotate(), { carried: 1, forgotten: 1 });
  const after = journalFiles(place.journalDir);
  assert.equal(after.length, 1, 'the old file is gone once its work is carried');
  assert.notDeepEqual(after, before, 'a new file is current');
  assert.deepEqual(journaled(place.journalDir), ['rot-pending'], 'only the folder of the put still without its row');
  // Its row comes: the next rotation forgets it too, and the journal is empty.
  await insertBlob(db, { familyId: 'rot-pending', hash: 'b', size: 3, uploadedBy: 'device', createdAt: 0 });
  assert.deepEqual(await journal.rotate(), { carried: 0, forgotten: 1 });
  assert.deepEqual(journaled(place.journalDir), []);
  // A folder forgotten is journaled again by its next put.
  await journal.blobs.put(blobKey('rot-settled', 'c'), new Uint8Array(3));
  assert.deepEqual(journaled(place.journalDir), ['rot-settled']);
  await journal.close();
  // A start after it sweeps only that folder: its unindexed blob goes, the indexed one stays.
  const next = createBlobJournal(createFsBlobs(place.root), place.journalDir, { indexed, rotateEveryMs: 0 });
  assert.deepEqual(await next.start(sweepIn(place.root)), { removed: 1, folders: 1 });
  assert.deepEqual(readdirSync(join(place.root, 'rot-settled')), ['a']);
  await next.close();

  // Started with a period, it rotates without being asked: the put below is indexed, so a rotation empties the journal.
  const timed = createBlobJournal(createFsBlobs(place.root), place.journalDir, { indexed, rotateEveryMs: 20 });
  await timed.start(() => Promise.resolve(0));
  await timed.blobs.put(blobKey('rot-settled', 'd'), new Uint8Array(3));
  await insertBlob(db, { familyId: 'rot-settled', hash: 'd', size: 3, uploadedBy: 'device', createdAt: 0 });
  const first = journalFiles(place.journalDir);
  const deadline = Date.now() + 60_000;
  while (journaled(place.journalDir).length > 0 || journalFiles(place.journalDir)[0] === first[0]) {
    if (Date.now() > deadline) assert.fail('the journal did not rotate by itself');
    await new Promise((r) => setTimeout(r, 10));
  }
  await timed.close();
});

/**
 * A process that writes through a rotating journal and is killed (SIGKILL) once `step` of a rotation
 * is on disk: an indexed upload in `<label>-settled`, an upload whose row never came in
 * `<label>-orphan`, and a large put still being written in `<label>-writing` when the rotation begins.
 */
function killedInRotation(place: { root: string; journalDir: string }, label: string, step: RotationStep): Promise<void> {
  const href = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const loader = existsSync(fileURLToPath(new URL('./blob-journal.js', import.meta.url))) ? [] : ['--import', 'tsx'];
  const script = `
    import { createBlobJournal } from ${href('./blob-journal.js')};
    import { createFsBlobs } from ${href('../blobs/index.js')};
    import { openDb } from ${href('../db/index.js')};
    import { blobKey, indexedBlobKeys, insertBlob } from ${href('../messages/store.js')};
    const { db } = openDb(${JSON.stringify(scratch.config)});
    const journal = createBlobJournal(createFsBlobs(${JSON.stringify(place.root)}), ${JSON.stringify(place.journalDir)}, {
      indexed: (keys) => indexedBlobKeys(db, keys),
      rotateEveryMs: 0,
      onRotationStep: (step) => { if (step === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); },
    });
    await journal.start(() => Promise.resolve(0));
    await journal.blobs.put(blobKey('${label}-settled', 'kept'), new Uint8Array(10));
    await insertBlob(db, { familyId: '${label}-settled', hash: 'kept', size: 10, uploadedBy: 'device', createdAt: 0 });
    await journal.blobs.put(blobKey('${label}-orphan', 'never-indexed'), new Uint8Array(10));
    const writing = journal.blobs.put(blobKey('${label}-writing', 'in-flight'), new Uint8Array(64 * 1024 * 1024));
    writing.catch(() => undefined);
    await journal.rotate();
    console.log('the rotation finished before the kill');
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

// At 'opened' the large put's line may still be queued (so it has written no byte): 2 or 3 folders.
for (const [step, files, folders] of [
  ['opened', 2, null],
  ['carried', 2, 3],
  ['removed', 1, 2],
] as const)
  void test(`killed once a rotation's '${step}' step is on disk: every folder holding something unindexed is still journaled, and the next start cleans it`, async () => {
    const place = freshPlace(`killed-${step}`);
    const label = `k${step}`;
    for (const kind of ['settled', 'orphan', 'writing']) await insertFamily(db, `${label}-${kind}`, 0);
    await killedInRotation(place, label, step);
    const left = (kind: string): string[] => {
      const folder = join(place.root, `${label}-${kind}`);
      return existsSync(folder) ? readdirSync(folder) : [];
    };
    assert.equal(journalFiles(place.journalDir).length, files, 'journal files left by the kill');
    const named = journaled(place.journalDir);
    assert.deepEqual(left('orphan'), ['never-indexed'], 'the kill left an unindexed blob');
    // Whatever the step, a folder holding anything but an indexed blob is named by a journal file.
    for (const kind of ['orphan', 'writing'])
      if (left(kind).length > 0) assert.ok(named.includes(`${label}-${kind}`), `${label}-${kind} holds ${JSON.stringify(left(kind))} and is journaled: ${JSON.stringify(named)}`);
    if (step === 'removed') assert.ok(!named.includes(`${label}-settled`), 'the settled folder was forgotten');

    const next = createBlobJournal(createFsBlobs(place.root), place.journalDir, { rotateEveryMs: 0 });
    const swept = await next.start(sweepIn(place.root));
    if (folders !== null) assert.equal(swept.folders, folders);
    assert.deepEqual(left('orphan'), [], 'the unindexed blob is gone');
    // The large put was killed mid-write (a temp file) or had finished (a blob without a row): either way, gone.
    assert.deepEqual(left('writing'), [], 'what the in-flight put left is gone');
    assert.deepEqual(left('settled'), ['kept'], 'the indexed blob stays');
    assert.equal(journalFiles(place.journalDir).length, 1, 'the killed run\'s files were read and removed');
    await next.close();
  });

void test("the server's journal rotates against its own blob index: a folder is kept while a put there has no row, forgotten once every put there is indexed", async () => {
  const server = await startTestServer();
  try {
    const call = httpClient(server.url);
    const fam = await family(call);
    const voice = await sealedVoice(fam.guardian.keys, fam.roster, [fam.guardian.keys]);
    expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'upload');
    // Bytes through the journal with no row after them, as an upload whose row failed would leave.
    const { blobJournal } = server.services;
    await blobJournal.blobs.put(blobKey(fam.familyId, 'no-row-came'), new Uint8Array(3));
    const dir = join(server.dataDir, 'blob-journal');
    assert.deepEqual(journaled(dir), [fam.familyId]);
    assert.deepEqual(await blobJournal.rotate(), { carried: 1, forgotten: 0 }, 'the folder is kept for the put without its row');
    assert.deepEqual(journaled(dir), [fam.familyId]);
    await insertBlob(server.db, { familyId: fam.familyId, hash: 'no-row-came', size: 3, uploadedBy: 'device', createdAt: 0 });
    assert.deepEqual(await blobJournal.rotate(), { carried: 0, forgotten: 1 }, 'every put there is indexed now: forgotten');
    assert.deepEqual(journaled(dir), []);
    assert.equal(journalFiles(dir).length, 1);
  } finally {
    await server.close();
  }
});
