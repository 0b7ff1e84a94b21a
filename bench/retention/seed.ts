/**
 * The retention benchmark's data: N messages over F families, created evenly over the 60 days
 * before `now`, each queued for two devices; 90 % fetched by both, 10 % by nobody; one in
 * `blobEvery` with a 2 KB blob in the blob store.
 */
import { sql } from 'kysely';
import type { Blobs } from '../../packages/server/src/blobs/index.js';
import type { Db } from '../../packages/server/src/db/index.js';
import { insertFamily } from '../../packages/server/src/families/store.js';
import { blobKey } from '../../packages/server/src/messages/store.js';

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
 * Seeds the messages with one `insert … select` per table and chunk, from a recursive CTE of message
 * numbers, into the owners' tables (messages/store.ts: messages, message_recipients, receipts, blobs,
 * family_blob_usage) with the values insertMessage, insertReceipt and insertBlob write. A row per
 * store call took 20 min for 500k messages; this takes seconds per 100k. The blob bytes go through
 * the blob store itself, many at once (its puts share fsyncs).
 */
export async function seed(db: Db, blobs: Blobs, { messages: N, families: FAMILIES, blobEvery: BLOB_EVERY, now: NOW }: SeedPlan): Promise<void> {
  for (let f = 0; f < FAMILIES; f++) await insertFamily(db, familyId(f), NOW - 90 * DAY);
  const envelope = JSON.stringify({ v: 1, pad: 'x'.repeat(900) });
  const CHUNK = 100_000;
  for (let start = 0; start < N; start += CHUNK) {
    const end = Math.min(N, start + CHUNK);
    await db.transaction().execute(async (trx) => {
      // Message i: family i mod F, created evenly over the last 60 days, a blob every BLOB_EVERY.
      await sql`
        with recursive n(i) as (select ${sql.lit(start)} union all select i + 1 from n where i + 1 < ${sql.lit(end)})
        insert into messages (id, family_id, sender_id, envelope, blob_hash, created_at)
        select 'm' || i, 'fam' || substr('0000' || (i % ${sql.lit(FAMILIES)}), -4), 'dev-s', ${envelope},
               case when i % ${sql.lit(BLOB_EVERY)} = 0 then 'h' || i end,
               ${sql.lit(NOW - 60 * DAY)} + (i * ${sql.lit(60 * DAY)}) / ${sql.lit(N)}
        from n order by i`.execute(trx);
      const first = Number((await sql<{ seq: number }>`select seq from messages where id = ${`m${String(start)}`}`.execute(trx)).rows[0]?.seq);
      const last = first + (end - start) - 1;
      // Two recipient devices each; 90 % fetched by both (a 'delivered' receipt a second later).
      await sql`
        insert into message_recipients (device_id, message_seq)
        select family_id || d.s, seq from messages, (select '-a' as s union all select '-b') as d
        where seq between ${sql.lit(first)} and ${sql.lit(last)}`.execute(trx);
      await sql`
        insert into receipts (message_seq, device_id, kind, created_at)
        select seq, family_id || d.s, 'delivered', created_at + 1000 from messages, (select '-a' as s union all select '-b') as d
        where seq between ${sql.lit(first)} and ${sql.lit(last)} and cast(substr(id, 2) as integer) % 10 <> 0`.execute(trx);
      await sql`
        insert into blobs (family_id, hash, size, uploaded_by, created_at)
        select family_id, blob_hash, ${sql.lit(BLOB.length)}, 'dev-a', created_at from messages
        where seq between ${sql.lit(first)} and ${sql.lit(last)} and blob_hash is not null`.execute(trx);
    });
  }
  await sql`
    insert into family_blob_usage (family_id, bytes) select family_id, sum(size) from blobs where family_id like 'fam%' group by family_id
    on conflict (family_id) do update set bytes = excluded.bytes`.execute(db);
  const hashes = await db.selectFrom('blobs').select(['family_id', 'hash']).where('family_id', 'like', 'fam%').execute();
  for (let i = 0; i < hashes.length; i += 256)
    await Promise.all(hashes.slice(i, i + 256).map((b) => blobs.put(blobKey(b.family_id, b.hash), BLOB)));
}
