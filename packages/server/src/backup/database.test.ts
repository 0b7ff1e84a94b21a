/**
 * A snapshot lists its blob keys a page at a time (database.ts KEY_PAGE), each page starting after
 * the last key of the one before: every key comes once, in order, across page boundaries. On
 * SQLite (keys from the VACUUM INTO copy), and on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { insertFamily } from '../families/store.js';
import { insertBlob } from '../messages/store.js';
import { openScratchDb, type ScratchDb } from '../testing/scratch-db.js';
import { drain } from './streams.js';
import { KEY_PAGE, snapshotDatabase } from './database.js';

// Two and a half pages, in three families, so pages end inside a family and between two.
const BLOBS = Math.floor(KEY_PAGE * 2.5);
let scratch: ScratchDb;
const keys: string[] = [];

before(async () => {
  scratch = await openScratchDb('backup-keys');
  await scratch.db.transaction().execute(async (trx) => {
    for (const family of ['fam-a', 'fam-b', 'fam-c']) await insertFamily(trx, family, 0);
    for (let i = 0; i < BLOBS; i++) {
      const familyId = ['fam-a', 'fam-b', 'fam-c'][i % 3] ?? 'fam-a';
      const hash = `h${String(i).padStart(6, '0')}`;
      await insertBlob(trx, { familyId, hash, size: 1, uploadedBy: 'device', createdAt: 0 });
      keys.push(`${familyId}/${hash}`);
    }
  });
});
after(() => scratch.close());

test(`a snapshot lists all ${String(BLOBS)} blob keys once, in (family, hash) order, in pages of at most ${String(KEY_PAGE)}`, async () => {
  const snapshot = await snapshotDatabase(scratch.config, scratch.db, scratch.dir);
  try {
    await drain(snapshot.stream);
    await snapshot.finished;
    assert.equal(await snapshot.blobCount(), BLOBS);
    const pages: string[][] = [];
    for await (const page of snapshot.blobKeys()) pages.push(page);
    assert.deepEqual(pages.map((p) => p.length), [KEY_PAGE, KEY_PAGE, BLOBS - 2 * KEY_PAGE]);
    // Family ids and hashes of one length and alphabet: their order is the same on both engines' collations.
    assert.deepEqual(pages.flat(), [...keys].sort());
  } finally {
    snapshot.close();
  }
});
