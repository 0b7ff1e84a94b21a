/**
 * The owner (STYLE.md 13) of the message tables: `messages` (signed envelopes), `message_recipients`
 * (who may fetch each), `receipts` (delivered / played) and `blobs` (the index of ciphertext in the
 * blob store). Other capabilities (review, toys, tripwires) write them only through these functions.
 * Every function takes the database or a transaction, so callers can write in their own transaction.
 */
import { SqliteAdapter, sql } from 'kysely';
import type { Blobs } from '../blobs/index.js';
import type { Db, ReceiptKind } from '../db/index.js';
import { compiledInList, compiledStatement } from '../db/compiled.js';
import { factName, noFact, type FactQuery } from '../db/facts.js';

/** Where a family's blob lives in the blob store. */
export const blobKey = (familyId: string, hash: string): string => `${familyId}/${hash}`;

/** The index row of a stored blob (its bytes are in the blob store under `blobKey`). */
export interface BlobRow {
  familyId: string;
  /** base64url SHA-256 of the ciphertext. */
  hash: string;
  size: number;
  uploadedBy: string;
  createdAt: number;
}

// The writes of every upload, send and receipt, built and compiled once (db/compiled.ts; issue #11).
const addUsageStatement = compiledStatement(2, (db, familyId: string, delta: number) =>
  db
    .insertInto('family_blob_usage')
    .values({ family_id: familyId, bytes: delta })
    .onConflict((oc) => oc.column('family_id').doUpdateSet((eb) => ({ bytes: eb('family_blob_usage.bytes', '+', delta) }))),
);
const insertBlobStatement = compiledStatement(5, (db, familyId: string, hash: string, size: number, uploadedBy: string, createdAt: number) =>
  db
    .insertInto('blobs')
    .values({ family_id: familyId, hash, size, uploaded_by: uploadedBy, created_at: createdAt })
    .onConflict((oc) => oc.columns(['family_id', 'hash']).doNothing()),
);
const insertMessageStatement = compiledStatement(
  6,
  (db, id: string, familyId: string, senderId: string, envelope: string, blobHash: string | null, createdAt: number) =>
    db
      .insertInto('messages')
      .values({ id, family_id: familyId, sender_id: senderId, envelope, blob_hash: blobHash, created_at: createdAt })
      .returning('seq'),
);
/**
 * A message's recipient rows, in one statement whatever their number (compiled once per count,
 * db/compiled.ts): only for the listed devices that still exist and have an owner (a toy, or a
 * person's device whose account is not erased), each locked FOR KEY SHARE on PostgreSQL. Returns the
 * devices queued.
 *
 * Why here and so: the send checks the roster, then queues the message in a later transaction (a
 * group commit shared with other sends), and a recipient device can be deleted in between (its
 * account erased, a toy unpaired) or detached (an erased account's device a roster still lists). A
 * plain insert then queued for a device that no longer exists (erasure/recipients-during-erasure.test).
 * Selecting the rows from `devices` inside the send's own transaction skips the ones already gone;
 * the key share keeps the others until the send commits (it conflicts only with a delete, a key
 * change or an explicit FOR UPDATE, not with everyday updates of a device row), and the device's
 * removal takes its row FOR UPDATE before dropping its queue (devices/store.ts lockDevicesForRemoval),
 * so it sees what the send queued; a send that comes after waits for that commit and skips the
 * device. On SQLite the send's transaction holds the one write lock, so nothing comes between. The
 * foreign key to `devices` (migration 1160) makes a row naming a deleted device impossible for any
 * writer; the select keeps that key from ever failing the send, which answers for the devices that
 * remain. One statement per send, as before (one row or a multi-row insert).
 */
const insertRecipientsStatement = compiledInList(1, (db, deviceIds, messageSeq: number) => {
  let owned = db
    .selectFrom('devices')
    .select(['devices.id', sql<number>`cast(${messageSeq} as bigint)`.as('message_seq')])
    .where('devices.id', 'in', deviceIds as string[])
    .where((eb) => eb.or([eb('devices.kind', '=', 'toy'), eb('devices.account_id', 'is not', null)]));
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) owned = owned.forKeyShare();
  return db.insertInto('message_recipients').columns(['device_id', 'message_seq']).expression(owned).returning('device_id');
});
const insertReceiptStatement = compiledStatement(4, (db, messageSeq: number, deviceId: string, kind: ReceiptKind, createdAt: number) =>
  db
    .insertInto('receipts')
    .values({ message_seq: messageSeq, device_id: deviceId, kind, created_at: createdAt })
    .onConflict((oc) => oc.columns(['message_seq', 'device_id', 'kind']).doNothing()),
);

/** Adds `delta` bytes (negative: removes) to the family's running storage total. */
async function addUsage(db: Db, familyId: string, delta: number): Promise<void> {
  await addUsageStatement.run(db, familyId, delta);
}

/**
 * Indexes a blob whose bytes are stored, and counts it in the family's total; a row that exists
 * already is left as it is (and not counted twice). Call it in a transaction so both writes go together.
 */
export async function insertBlob(db: Db, blob: BlobRow): Promise<void> {
  const inserted = await insertBlobStatement.run(db, blob.familyId, blob.hash, blob.size, blob.uploadedBy, blob.createdAt);
  if (inserted > 0) await addUsage(db, blob.familyId, blob.size);
}

// Read on every upload and send: built and compiled once (db/compiled.ts).
const blobSizeQuery = compiledStatement(2, (db, familyId: string, hash: string) =>
  db.selectFrom('blobs').select('size').where('family_id', '=', familyId).where('hash', '=', hash),
);
const usageQuery = compiledStatement(1, (db, familyId: string) => db.selectFrom('family_blob_usage').select('bytes').where('family_id', '=', familyId));

/**
 * Which of `keys` (`<familyId>/<hash>`) have their index row: the blob journal's rotation
 * (maintenance/blob-journal.ts) forgets a folder only once every blob this run put there is indexed.
 * One query per family and 500 hashes, each on the primary key.
 */
export async function indexedBlobKeys(db: Db, keys: Iterable<string>): Promise<Set<string>> {
  const byFamily = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf('/');
    if (slash <= 0) continue;
    const familyId = key.slice(0, slash);
    const hashes = byFamily.get(familyId) ?? [];
    hashes.push(key.slice(slash + 1));
    byFamily.set(familyId, hashes);
  }
  const indexed = new Set<string>();
  for (const [familyId, hashes] of byFamily)
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await db
        .selectFrom('blobs')
        .select('hash')
        .where('family_id', '=', familyId)
        .where('hash', 'in', hashes.slice(i, i + 500))
        .execute();
      for (const row of rows) indexed.add(blobKey(familyId, row.hash));
    }
  return indexed;
}

/** The size of a family's blob, or undefined when it was never uploaded. */
export async function blobSize(db: Db, familyId: string, hash: string): Promise<number | undefined> {
  return (await blobSizeQuery.first(db, familyId, hash))?.size;
}

/** Bytes of ciphertext the family stores (for its quota): one row, kept with every blob row. */
export async function familyBlobBytes(db: Db, familyId: string): Promise<number> {
  const row = await usageQuery.first(db, familyId);
  return Number(row?.bytes ?? 0);
}

/**
 * What an upload checks, in one statement: the blob's size if the family has it already, and the
 * family's running storage total (its quota). Two reads on every upload before (issue #11).
 */
const uploadFactsQuery = compiledStatement(2, (db, familyId: string, hash: string) =>
  db.selectNoFrom((eb) => [
    eb.selectFrom('blobs').select('size').where('family_id', '=', familyId).where('hash', '=', hash).as('size'),
    eb.selectFrom('family_blob_usage').select('bytes').where('family_id', '=', familyId).as('used'),
  ]),
);

export async function uploadFacts(db: Db, familyId: string, hash: string): Promise<{ size: number | undefined; used: number }> {
  const row = await uploadFactsQuery.first(db, familyId, hash);
  return { size: row?.size ?? undefined, used: Number(row?.used ?? 0) };
}

/**
 * What a send checks in the message tables, as fact rows (db/facts.ts) for its combined read
 * (send-facts.ts): 'blob' (id: the hash, n: the blob's size; no row: not uploaded) and one 'rate' row
 * (n: the time of the sender's `offset`-th most recent message, the send rate; null: it sent fewer),
 * bounded by the (sender_id, seq) index whatever the sender sent before.
 */
export function blobFact(db: Db, familyId: string, hash: string): FactQuery {
  return db
    .selectFrom('blobs')
    .select([factName('blob').as('fact'), 'hash as id', 'size as n', noFact().as('s')])
    .where('family_id', '=', familyId)
    .where('hash', '=', hash);
}

export function sendRateFact(db: Db, senderId: string, offset: number): FactQuery {
  return db.selectNoFrom((eb) => [
    factName('rate').as('fact'),
    noFact().as('id'),
    eb.selectFrom('messages').select('created_at').where('sender_id', '=', senderId).orderBy('seq', 'desc').limit(1).offset(offset).as('n'),
    noFact().as('s'),
  ]);
}

/**
 * Deletes a family's blob (index row, then bytes) unless a message of the family still points at the
 * same ciphertext. Returns whether it was deleted. The bytes go after the row, so a failure leaves
 * at worst unreadable, unindexed ciphertext behind — never a row without its bytes.
 */
export async function deleteBlobUnlessReferenced(db: Db, blobs: Blobs, familyId: string, hash: string): Promise<boolean> {
  const used = await db
    .selectFrom('messages')
    .select('seq')
    .where('family_id', '=', familyId)
    .where('blob_hash', '=', hash)
    .executeTakeFirst();
  if (used) return false;
  const deleted = await db.deleteFrom('blobs').where('family_id', '=', familyId).where('hash', '=', hash).returning('size').executeTakeFirst();
  if (deleted) await addUsage(db, familyId, -deleted.size);
  await blobs.delete(blobKey(familyId, hash));
  return true;
}

/**
 * The crash sweep, run at start-up before anything writes blobs (app.ts): an upload stores its bytes
 * and then commits its index row, so a crash in between leaves bytes without a row — never
 * acknowledged, and unreachable. Removes those, and the temp files of interrupted writes, from a
 * blob store that can list itself (`Blobs.sweep`; the filesystem). Only `families`' folders when
 * given (those with writes in flight at the crash, maintenance/blob-journal.ts), else every folder.
 * Returns how many blobs went.
 */
export async function removeOrphanBlobs(db: Db, blobs: Blobs, families?: readonly string[]): Promise<number> {
  if (!blobs.sweep) return 0;
  let removed = 0;
  for await (const keys of blobs.sweep(families)) {
    // One folder is one family: keys are <familyId>/<hash>.
    const familyId = keys[0]!.split('/')[0]!;
    const indexed = new Set(
      (await db.selectFrom('blobs').select('hash').where('family_id', '=', familyId).execute()).map((r) => blobKey(familyId, r.hash)),
    );
    for (const key of keys) {
      if (indexed.has(key)) continue;
      await blobs.delete(key);
      removed += 1;
    }
  }
  return removed;
}

/** A message row as sendMessage stores it. */
export interface MessageRow {
  id: string;
  familyId: string;
  senderId: string;
  /** The signed envelope JSON, exactly as verified. */
  envelope: string;
  blobHash: string | null;
  createdAt: number;
}

/**
 * Stores a message and the devices that may fetch it from their inbox; returns its sequence number
 * and the devices it is queued for: those of `recipients` that still exist and have an owner
 * (`insertRecipientsStatement`). A message id sent twice fails on the unique index (the caller maps it).
 */
export async function insertMessage(db: Db, message: MessageRow, recipients: readonly string[]): Promise<{ seq: number; queued: string[] }> {
  const row = await insertMessageStatement.first(
    db,
    message.id,
    message.familyId,
    message.senderId,
    message.envelope,
    message.blobHash,
    message.createdAt,
  );
  if (!row) throw new Error('insert into messages returned no row');
  const queued = await insertRecipientsStatement.all(db, [...new Set(recipients)], row.seq);
  return { seq: row.seq, queued: queued.map((r) => r.device_id) };
}

/** Records a receipt once; returns whether it is new. */
export async function insertReceipt(
  db: Db,
  receipt: { messageSeq: number; deviceId: string; kind: ReceiptKind; createdAt: number },
): Promise<boolean> {
  return (await insertReceiptStatement.run(db, receipt.messageSeq, receipt.deviceId, receipt.kind, receipt.createdAt)) > 0;
}

/**
 * Forgets a message's content but keeps a tombstone row (so its sender's sent list can still say
 * what happened to it): its recipients and receipts go, its envelope and blob reference are blanked.
 */
export async function blankMessage(db: Db, seq: number): Promise<void> {
  await db.deleteFrom('message_recipients').where('message_seq', '=', seq).execute();
  await db.deleteFrom('receipts').where('message_seq', '=', seq).execute();
  await db.updateTable('messages').set({ envelope: '', blob_hash: null }).where('seq', '=', seq).execute();
}

/**
 * Drops a device's queue: it is no longer a recipient of anything, and messages nobody else can
 * fetch any more are deleted. Returns the blob hashes of the deleted messages (for
 * `deleteBlobUnlessReferenced` once the transaction committed).
 */
export async function dropDeviceQueue(db: Db, deviceId: string): Promise<string[]> {
  const queued = await db.selectFrom('message_recipients').select('message_seq').where('device_id', '=', deviceId).execute();
  await db.deleteFrom('message_recipients').where('device_id', '=', deviceId).execute();
  const seqs = queued.map((q) => q.message_seq);
  if (seqs.length === 0) return [];
  const orphans = await db
    .selectFrom('messages')
    .select(['seq', 'blob_hash'])
    .where('seq', 'in', seqs)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('message_recipients')
            .select('device_id')
            .whereRef('message_recipients.message_seq', '=', 'messages.seq'),
        ),
      ),
    )
    .execute();
  if (orphans.length === 0) return [];
  await db.deleteFrom('messages').where('seq', 'in', orphans.map((o) => o.seq)).execute();
  return orphans.flatMap((o) => (o.blob_hash === null ? [] : [o.blob_hash]));
}

/** Per device of `deviceIds`: messages of the family addressed to it that it has not played. */
export async function unplayedCounts(db: Db, familyId: string, deviceIds: readonly string[]): Promise<Map<string, number>> {
  if (deviceIds.length === 0) return new Map();
  const counts = await db
    .selectFrom('message_recipients as mr')
    .innerJoin('messages as m', 'm.seq', 'mr.message_seq')
    .leftJoin('receipts as r', (join) =>
      join
        .onRef('r.message_seq', '=', 'mr.message_seq')
        .onRef('r.device_id', '=', 'mr.device_id')
        .on('r.kind', '=', 'played'),
    )
    .select(['mr.device_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('mr.device_id', 'in', [...deviceIds])
    .where('m.family_id', '=', familyId)
    .where('r.message_seq', 'is', null)
    .groupBy('mr.device_id')
    .execute();
  return new Map(counts.map((c) => [c.device_id, Number(c.n)]));
}

/** Per message of `seqs`: the toys it is queued for (recipients that are toys), by id. */
export async function toyRecipientsOf(db: Db, seqs: readonly number[]): Promise<Map<number, string[]>> {
  if (seqs.length === 0) return new Map();
  const rows = await db
    .selectFrom('message_recipients as mr')
    .innerJoin('devices as d', 'd.id', 'mr.device_id')
    .select(['mr.message_seq', 'mr.device_id'])
    .where('mr.message_seq', 'in', [...seqs])
    .where('d.kind', '=', 'toy')
    .orderBy('mr.device_id')
    .execute();
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(r.message_seq, [...(out.get(r.message_seq) ?? []), r.device_id]);
  return out;
}

/** A deleted device is no longer a recipient of anything (its envelopes stay for the others). */
/**
 * A device renewed its identity (docs/protocol.md §17): what still waits for the old id waits for the
 * new one. Routing only — the envelopes name the old id, which the device still opens as.
 */
export async function moveRecipient(db: Db, fromDeviceId: string, toDeviceId: string): Promise<void> {
  await db.updateTable('message_recipients').set({ device_id: toDeviceId }).where('device_id', '=', fromDeviceId).execute();
}

export async function forgetRecipient(db: Db, deviceId: string): Promise<void> {
  await db.deleteFrom('message_recipients').where('device_id', '=', deviceId).execute();
}

/**
 * Deletes every message of a family with its recipients and receipts, and the family's blob index
 * (family deletion, erasure/). Returns the blob hashes, for `deleteBlobBytes` once committed.
 */
export async function deleteFamilyMessages(db: Db, familyId: string): Promise<string[]> {
  const seqs = db.selectFrom('messages').select('seq').where('family_id', '=', familyId);
  await db.deleteFrom('receipts').where('message_seq', 'in', seqs).execute();
  await db.deleteFrom('message_recipients').where('message_seq', 'in', seqs).execute();
  await db.deleteFrom('messages').where('family_id', '=', familyId).execute();
  const blobRows = await db.selectFrom('blobs').select('hash').where('family_id', '=', familyId).execute();
  await db.deleteFrom('blobs').where('family_id', '=', familyId).execute();
  await db.deleteFrom('family_blob_usage').where('family_id', '=', familyId).execute();
  return blobRows.map((b) => b.hash);
}

/** Deletes the bytes of a family's blobs whose index rows are already gone; returns how many failed. */
export async function deleteBlobBytes(blobs: Blobs, familyId: string, hashes: readonly string[]): Promise<number> {
  let failed = 0;
  for (const hash of new Set(hashes)) {
    try {
      await blobs.delete(blobKey(familyId, hash));
    } catch {
      failed++;
    }
  }
  return failed;
}

/** What retention and deletion need to know of a message. */
export interface MessageRef {
  seq: number;
  id: string;
  familyId: string;
  senderId: string;
  blobHash: string | null;
  createdAt: number;
  /** Set on a tombstone of a message that expired unfetched. */
  expiredAt: number | null;
  /** Whether some recipient device has not fetched it yet (no receipt of its own). */
  unfetched: boolean;
}

/**
 * Up to `limit` messages after `afterSeq`, in order: one page of the retention sweep. Paging by the
 * primary key keeps every statement short however few of the rows are due.
 */
export async function messagePage(db: Db, afterSeq: number, limit: number): Promise<MessageRef[]> {
  const rows = await db
    .selectFrom('messages as m')
    .select(['m.seq', 'm.id', 'm.family_id', 'm.sender_id', 'm.blob_hash', 'm.created_at', 'm.expired_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('message_recipients as mr')
            .select('mr.device_id')
            .whereRef('mr.message_seq', '=', 'm.seq')
            .where((inner) =>
              inner.not(
                inner.exists(
                  inner
                    .selectFrom('receipts as r')
                    .select('r.kind')
                    .whereRef('r.message_seq', '=', 'mr.message_seq')
                    .whereRef('r.device_id', '=', 'mr.device_id'),
                ),
              ),
            ),
        )
        .as('unfetched'),
    )
    .where('m.seq', '>', afterSeq)
    .orderBy('m.seq', 'asc')
    .limit(limit)
    .execute();
  return rows.map(toRef);
}

/**
 * The stored envelopes (JSON as sent) of these messages of `familyId`, by message id; a message that
 * is gone, or blanked to a tombstone, is absent.
 */
export async function envelopesOf(db: Db, familyId: string, messageIds: readonly string[]): Promise<Map<string, string>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'envelope'])
    .where('family_id', '=', familyId)
    .where('id', 'in', [...new Set(messageIds)])
    .execute();
  return new Map(rows.filter((r) => r.envelope !== '').map((r) => [r.id, r.envelope]));
}

/** A message by its id, or undefined. */
export async function findMessageRef(db: Db, messageId: string): Promise<MessageRef | undefined> {
  const row = await db
    .selectFrom('messages as m')
    .select(['m.seq', 'm.id', 'm.family_id', 'm.sender_id', 'm.blob_hash', 'm.created_at', 'm.expired_at'])
    .where('m.id', '=', messageId)
    .executeTakeFirst();
  // `unfetched` is not asked here: deletion does not need it.
  return row ? toRef({ ...row, unfetched: false }) : undefined;
}

function toRef(r: {
  seq: number;
  id: string;
  family_id: string;
  sender_id: string;
  blob_hash: string | null;
  created_at: number | string;
  expired_at: number | string | null;
  unfetched: unknown;
}): MessageRef {
  return {
    seq: Number(r.seq),
    id: r.id,
    familyId: r.family_id,
    senderId: r.sender_id,
    blobHash: r.blob_hash,
    createdAt: Number(r.created_at),
    expiredAt: r.expired_at === null ? null : Number(r.expired_at),
    // SQLite answers 0/1, PostgreSQL a boolean.
    unfetched: r.unfetched === true || r.unfetched === 1 || r.unfetched === '1',
  };
}

/**
 * Deletes messages outright: their recipients, receipts and review rows go with them (foreign keys
 * with ON DELETE CASCADE). Their blobs are the caller's next step (`deleteBlobUnlessReferenced`,
 * after the transaction committed). Returns how many rows were deleted.
 */
export async function deleteMessages(db: Db, seqs: readonly number[]): Promise<number> {
  if (seqs.length === 0) return 0;
  const result = await db.deleteFrom('messages').where('seq', 'in', [...seqs]).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Expires messages their recipients did not all fetch in time: like `blankMessage` (recipients,
 * receipts, envelope and blob reference gone), and marked `expired_at` so the sender's sent list
 * says so until the tombstone itself is deleted.
 */
export async function expireMessages(db: Db, seqs: readonly number[], at: number): Promise<void> {
  if (seqs.length === 0) return;
  await db.deleteFrom('message_recipients').where('message_seq', 'in', [...seqs]).execute();
  await db.deleteFrom('receipts').where('message_seq', 'in', [...seqs]).execute();
  await db.updateTable('messages').set({ envelope: '', blob_hash: null, expired_at: at }).where('seq', 'in', [...seqs]).execute();
}

/**
 * One page of the blob index after `after` (family id, hash), each with whether a message still
 * points at it: the repair pass for bytes whose message went while the process stopped.
 */
export async function blobPage(
  db: Db,
  after: { familyId: string; hash: string } | null,
  limit: number,
): Promise<{ familyId: string; hash: string; createdAt: number; referenced: boolean }[]> {
  let query = db
    .selectFrom('blobs as b')
    .select(['b.family_id', 'b.hash', 'b.created_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('messages as m')
            .select('m.seq')
            .whereRef('m.family_id', '=', 'b.family_id')
            .whereRef('m.blob_hash', '=', 'b.hash'),
        )
        .as('referenced'),
    );
  // A row-value comparison, so both engines seek to the page on the primary key: the same condition
  // written with `or` made SQLite scan the key from its start on every page (each page slower than the
  // last, a pass quadratic in the blob count).
  if (after) query = query.where((eb) => eb(eb.refTuple('b.family_id', 'b.hash'), '>', eb.tuple(after.familyId, after.hash)));
  const rows = await query.orderBy('b.family_id').orderBy('b.hash').limit(limit).execute();
  return rows.map((r) => ({
    familyId: r.family_id,
    hash: r.hash,
    createdAt: Number(r.created_at),
    referenced: (r.referenced as unknown) === true || (r.referenced as unknown) === 1,
  }));
}

/** The devices a message is still queued for. */
export async function recipientsOf(db: Db, seq: number): Promise<string[]> {
  const rows = await db.selectFrom('message_recipients').select('device_id').where('message_seq', '=', seq).orderBy('device_id').execute();
  return rows.map((r) => r.device_id);
}

/**
 * Deletes the index rows of those of a family's blobs no message points at any more, inside the
 * caller's transaction; returns their hashes. Their bytes go after the commit (`deleteBlobBytes`):
 * a crash in between leaves bytes without a row, which the start-up orphan sweep removes.
 */
export async function deleteUnreferencedBlobRows(db: Db, familyId: string, hashes: readonly string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const hash of new Set(hashes)) {
    const used = await db.selectFrom('messages').select('seq').where('family_id', '=', familyId).where('blob_hash', '=', hash).executeTakeFirst();
    if (used) continue;
    const deleted = await db.deleteFrom('blobs').where('family_id', '=', familyId).where('hash', '=', hash).returning('size').executeTakeFirst();
    if (deleted) await addUsage(db, familyId, -deleted.size);
    gone.push(hash);
  }
  return gone;
}

/** What `insertMessageSeries` writes: messages start … end-1 of a series of `total`. */
export interface MessageSeries {
  start: number;
  end: number;
  total: number;
  /** Message i belongs to family `<familyPrefix><i mod families, 4 digits>` (the families exist). */
  familyPrefix: string;
  families: number;
  /** Message i is created at from + i × spanMs / total. */
  from: number;
  spanMs: number;
  envelope: string;
  /** One message in `blobEvery` has a blob of `blobSize` bytes (its row; the bytes are the caller's). */
  blobEvery: number;
  blobSize: number;
}

/**
 * Bulk rows for benchmarks (bench/retention.ts): messages `m<i>` of a series, built by the database
 * from a recursive CTE in one statement per table, each queued for two devices (`<family>-a`, `-b`,
 * which the caller registers first: a recipient row's foreign key names its device),
 * fetched by both (a 'delivered' receipt) except one in ten, with their blobs' index rows and the
 * families' usage. The same columns and values as insertMessage, insertReceipt and insertBlob; SQLite
 * (the benchmark's database). Call it in a transaction; a row per store call took 20 min for 500k.
 */
export async function insertMessageSeries(db: Db, s: MessageSeries): Promise<void> {
  const lit = (n: number) => sql.lit(Math.trunc(n));
  await sql`
    with recursive n(i) as (select ${lit(s.start)} union all select i + 1 from n where i + 1 < ${lit(s.end)})
    insert into messages (id, family_id, sender_id, envelope, blob_hash, created_at)
    select 'm' || i, ${s.familyPrefix} || substr('0000' || (i % ${lit(s.families)}), -4), 'dev-s', ${s.envelope},
           case when i % ${lit(s.blobEvery)} = 0 then 'h' || i end,
           ${lit(s.from)} + (i * ${lit(s.spanMs)}) / ${lit(s.total)}
    from n order by i`.execute(db);
  const first = Number((await sql<{ seq: number }>`select seq from messages where id = ${`m${String(s.start)}`}`.execute(db)).rows[0]?.seq);
  const last = first + (s.end - s.start) - 1;
  await sql`
    insert into message_recipients (device_id, message_seq)
    select family_id || d.s, seq from messages, (select '-a' as s union all select '-b') as d
    where seq between ${lit(first)} and ${lit(last)}`.execute(db);
  await sql`
    insert into receipts (message_seq, device_id, kind, created_at)
    select seq, family_id || d.s, 'delivered', created_at + 1000 from messages, (select '-a' as s union all select '-b') as d
    where seq between ${lit(first)} and ${lit(last)} and cast(substr(id, 2) as integer) % 10 <> 0`.execute(db);
  const blobs = await sql`
    insert into blobs (family_id, hash, size, uploaded_by, created_at)
    select family_id, blob_hash, ${lit(s.blobSize)}, 'dev-a', created_at from messages
    where seq between ${lit(first)} and ${lit(last)} and blob_hash is not null`.execute(db);
  if (Number(blobs.numAffectedRows ?? 0n) > 0)
    await sql`
      insert into family_blob_usage (family_id, bytes)
      select family_id, sum(size) from blobs where family_id in (select distinct family_id from messages where seq between ${lit(first)} and ${lit(last)}) group by family_id
      on conflict (family_id) do update set bytes = excluded.bytes`.execute(db);
}
