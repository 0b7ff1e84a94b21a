/**
 * The retention benchmark's data: N messages over F families, created evenly over the 60 days
 * before `now`, each queued for two devices; 90 % fetched by both, 10 % by nobody; one in
 * `blobEvery` with a 2 KB blob in the blob store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Blobs } from '../../packages/server/src/blobs/index.js';
import type { Db } from '../../packages/server/src/db/index.js';
import { insertToyDevice } from '../../packages/server/src/devices/store.js';
import { insertFamily } from '../../packages/server/src/families/store.js';
import { blobKey, insertMessageSeries } from '../../packages/server/src/messages/store.js';

export interface SeedPlan {
  messages: number;
  families: number;
  blobEvery: number;
  now: number;
}

const DAY = 24 * 60 * 60 * 1000;
const BLOB = new Uint8Array(2048).fill(7);
const familyId = (f: number): string => `fam${String(f).padStart(4, '0')}`;

/**
 * Seeds the families (families/store.ts) and the messages, 100k per transaction, through the
 * messages' owner's bulk insert (insertMessageSeries: one `insert … select` per table from a
 * recursive CTE). A row per store call took 20 min for 500k messages; this takes seconds per 100k.
 */
export async function seed(db: Db, blobs: Blobs, blobRoot: string, { messages: N, families: FAMILIES, blobEvery: BLOB_EVERY, now: NOW }: SeedPlan): Promise<void> {
  for (let f = 0; f < FAMILIES; f++) {
    await insertFamily(db, familyId(f), NOW - 90 * DAY);
    // The two devices each message is queued for (insertMessageSeries: `<family>-a`, `-b`): a
    // recipient row names an existing device (its foreign key, migration 1160). Toys, so they count
    // as owned; the keys are placeholders no one verifies here.
    for (const suffix of ['-a', '-b'])
      await insertToyDevice(db, { id: familyId(f) + suffix, signPublicKey: 'bench', kemPublicKey: 'bench', tokenHash: `bench${familyId(f)}${suffix}`, createdAt: NOW - 90 * DAY });
  }
  const envelope = JSON.stringify({ v: 1, pad: 'x'.repeat(900) });
  const CHUNK = 100_000;
  for (let start = 0; start < N; start += CHUNK) {
    await db.transaction().execute((trx) =>
      insertMessageSeries(trx, {
        start,
        end: Math.min(N, start + CHUNK),
        total: N,
        familyPrefix: 'fam',
        families: FAMILIES,
        from: NOW - 60 * DAY,
        spanMs: 60 * DAY,
        envelope,
        blobEvery: BLOB_EVERY,
        blobSize: BLOB.length,
      }),
    );
  }
  // The bytes straight into the filesystem store's layout (<root>/<family>/<hash>, fs-blobs.ts), without
  // its per-put fsync: through `put`, 200k blobs took over 20 min on a loaded disk, and durability is
  // not what this measures. The sweep deletes them through the store.
  const hashes = await db.selectFrom('blobs').select(['family_id', 'hash']).where('family_id', 'like', 'fam%').execute();
  for (const f of new Set(hashes.map((b) => b.family_id))) mkdirSync(join(blobRoot, f), { recursive: true, mode: 0o700 });
  for (const b of hashes) writeFileSync(join(blobRoot, b.family_id, b.hash), BLOB, { mode: 0o600 });
  if (hashes[0]) assert.ok(await blobs.has(blobKey(hashes[0].family_id, hashes[0].hash)), 'the store sees the seeded bytes');
}
