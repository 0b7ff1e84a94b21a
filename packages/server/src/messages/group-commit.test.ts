/**
 * Group commit (group-commit.ts): concurrent writes share one transaction and one durable commit, a
 * write that fails is rolled back alone, and the crash sweep removes blob bytes that never got their
 * index row. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { family, type Family } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createFsBlobs } from '../blobs/index.js';
import { createGroupCommit } from './group-commit.js';
import { blobKey, blobSize, deleteBlobUnlessReferenced, familyBlobBytes, insertBlob, removeOrphanBlobs } from './store.js';

let server: TestServer;
let fam: Family;
before(async () => {
  server = await startTestServer();
  fam = await family(httpClient(server.url));
});
after(async () => {
  await server.close();
});

const row = (hash: string) => ({ familyId: fam.familyId, hash, size: 10, uploadedBy: 'device', createdAt: 1 });

test('concurrent writes share transactions, and each resolves only once its rows are committed', async () => {
  const commits = createGroupCommit(server.db);
  const hashes = Array.from({ length: 40 }, (_, i) => `shared-${String(i)}`);
  const results = await Promise.all(hashes.map((hash) => commits.run(async (trx) => (await insertBlob(trx, row(hash)), hash))));
  assert.deepEqual(results, hashes);
  for (const hash of hashes) assert.equal(await blobSize(server.db, fam.familyId, hash), 10);
  const stats = commits.stats();
  assert.equal(stats.writes, 40);
  // The first write commits alone at once (no added latency when idle); the others share the next commit.
  assert.ok(stats.batches < 40, `40 writes in ${String(stats.batches)} transactions`);
  assert.ok(stats.largestBatch > 1);
  // No write failed: every batch committed on its first run, without savepoints.
  assert.equal(stats.reruns, 0);
});

test('a write that fails is rolled back alone: the others of its transaction commit', async () => {
  const commits = createGroupCommit(server.db);
  const outcomes = await Promise.allSettled([
    commits.run((trx) => insertBlob(trx, row('keep-1'))),
    commits.run(async (trx) => {
      await insertBlob(trx, row('rolled-back'));
      throw new Error('this write fails after its insert');
    }),
    commits.run((trx) => insertBlob(trx, row('keep-2'))),
    commits.run((trx) => insertBlob(trx, { ...row('no-such-family'), familyId: 'missing-family' })),
    commits.run((trx) => insertBlob(trx, row('keep-3'))),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /fails after its insert/);
  assert.equal(await blobSize(server.db, fam.familyId, 'rolled-back'), undefined);
  for (const hash of ['keep-1', 'keep-2', 'keep-3']) assert.equal(await blobSize(server.db, fam.familyId, hash), 10);
  // The failing writes shared a batch with others, which therefore ran again with savepoints.
  assert.ok(commits.stats().reruns >= 1);
});

test('a write alone (no savepoint) that fails rejects with its own error and leaves nothing; the next one commits', async () => {
  const commits = createGroupCommit(server.db);
  await assert.rejects(
    commits.run(async (trx) => {
      await insertBlob(trx, row('alone-rolled-back'));
      throw new Error('the lone write fails after its insert');
    }),
    /lone write fails/,
  );
  assert.equal(await blobSize(server.db, fam.familyId, 'alone-rolled-back'), undefined);
  await commits.run((trx) => insertBlob(trx, row('alone-after')));
  assert.equal(await blobSize(server.db, fam.familyId, 'alone-after'), 10);
  assert.deepEqual(commits.stats(), { batches: 1, writes: 1, largestBatch: 1, reruns: 0 });
});

test('the crash sweep removes blob bytes without an index row and leftover temp files, and keeps indexed blobs', async () => {
  const blobs = createFsBlobs(join(server.dataDir, 'blobs'));
  await blobs.put(blobKey(fam.familyId, 'indexed'), new Uint8Array(randomBytes(10)));
  await insertBlob(server.db, row('indexed'));
  await blobs.put(blobKey(fam.familyId, 'never-indexed'), new Uint8Array(randomBytes(10)));
  const temp = join(server.dataDir, 'blobs', fam.familyId, '.tmp-interrupted');
  writeFileSync(temp, 'half');
  assert.equal(await removeOrphanBlobs(server.db, blobs), 1);
  assert.equal(await blobs.has(blobKey(fam.familyId, 'indexed')), true);
  assert.equal(await blobs.has(blobKey(fam.familyId, 'never-indexed')), false);
  assert.equal(existsSync(temp), false);
});

test("the family's storage total (the quota) is kept with its blob rows: counted once, subtracted on delete", async () => {
  const other = await family(httpClient(server.url));
  const sum = async () =>
    (await server.db.selectFrom('blobs').select('size').where('family_id', '=', other.familyId).execute()).reduce((n, r) => n + r.size, 0);
  const blobs = createFsBlobs(join(server.dataDir, 'blobs'));
  const commits = createGroupCommit(server.db);
  const at = (hash: string, size: number) => ({ familyId: other.familyId, hash, size, uploadedBy: 'device', createdAt: 1 });
  await Promise.all([commits.run((trx) => insertBlob(trx, at('q1', 100))), commits.run((trx) => insertBlob(trx, at('q2', 250)))]);
  await commits.run((trx) => insertBlob(trx, at('q1', 100))); // the same blob again: not counted twice
  assert.equal(await familyBlobBytes(server.db, other.familyId), 350);
  assert.equal(await deleteBlobUnlessReferenced(server.db, blobs, other.familyId, 'q1'), true);
  assert.equal(await familyBlobBytes(server.db, other.familyId), 250);
  assert.equal(await familyBlobBytes(server.db, other.familyId), await sum());
});
