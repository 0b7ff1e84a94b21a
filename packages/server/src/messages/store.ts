/**
 * The owner (STYLE.md 13) of the message tables: `messages` (signed envelopes), `message_recipients`
 * (who may fetch each), `receipts` (delivered / played) and `blobs` (the index of ciphertext in the
 * blob store). Other capabilities (review, toys, tripwires) write them only through these functions.
 * Every function takes the database or a transaction, so callers can write in their own transaction.
 */
import type { Blobs } from '../blobs/index.js';
import type { Db, ReceiptKind } from '../db/index.js';

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

/** Indexes a blob whose bytes are stored; a row that exists already is left as it is. */
export async function insertBlob(db: Db, blob: BlobRow): Promise<void> {
  await db
    .insertInto('blobs')
    .values({
      family_id: blob.familyId,
      hash: blob.hash,
      size: blob.size,
      uploaded_by: blob.uploadedBy,
      created_at: blob.createdAt,
    })
    .onConflict((oc) => oc.columns(['family_id', 'hash']).doNothing())
    .execute();
}

/** The size of a family's blob, or undefined when it was never uploaded. */
export async function blobSize(db: Db, familyId: string, hash: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('blobs')
    .select('size')
    .where('family_id', '=', familyId)
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row?.size;
}

/** Bytes of ciphertext the family stores (for its quota). */
export async function familyBlobBytes(db: Db, familyId: string): Promise<number> {
  const row = await db
    .selectFrom('blobs')
    .select((eb) => eb.fn.sum<number | string | bigint | null>('size').as('total'))
    .where('family_id', '=', familyId)
    .executeTakeFirstOrThrow();
  return Number(row.total ?? 0);
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
  await db.deleteFrom('blobs').where('family_id', '=', familyId).where('hash', '=', hash).execute();
  await blobs.delete(blobKey(familyId, hash));
  return true;
}

/**
 * The crash sweep, run at start-up before anything writes blobs (app.ts): an upload stores its bytes
 * and then commits its index row, so a crash in between leaves bytes without a row — never
 * acknowledged, and unreachable. Removes those, and the temp files of interrupted writes, from a
 * blob store that can list itself (`Blobs.sweep`; the filesystem). Returns how many blobs went.
 */
export async function removeOrphanBlobs(db: Db, blobs: Blobs): Promise<number> {
  if (!blobs.sweep) return 0;
  let removed = 0;
  for await (const keys of blobs.sweep()) {
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
 * Stores a message and the devices that may fetch it from their inbox; returns its sequence number.
 * A message id sent twice fails on the unique index (the caller maps it).
 */
export async function insertMessage(db: Db, message: MessageRow, recipients: readonly string[]): Promise<number> {
  const row = await db
    .insertInto('messages')
    .values({
      id: message.id,
      family_id: message.familyId,
      sender_id: message.senderId,
      envelope: message.envelope,
      blob_hash: message.blobHash,
      created_at: message.createdAt,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  if (recipients.length > 0)
    await db
      .insertInto('message_recipients')
      .values(recipients.map((deviceId) => ({ message_seq: row.seq, device_id: deviceId })))
      .execute();
  return row.seq;
}

/** Records a receipt once; returns whether it is new. */
export async function insertReceipt(
  db: Db,
  receipt: { messageSeq: number; deviceId: string; kind: ReceiptKind; createdAt: number },
): Promise<boolean> {
  const result = await db
    .insertInto('receipts')
    .values({
      message_seq: receipt.messageSeq,
      device_id: receipt.deviceId,
      kind: receipt.kind,
      created_at: receipt.createdAt,
    })
    .onConflict((oc) => oc.columns(['message_seq', 'device_id', 'kind']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
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
