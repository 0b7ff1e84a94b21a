/**
 * The family activity log's tables (family_activity, family_activity_heads; migrations 0770, 1005):
 * append a family's events to its hash chain, list them for its guardians, prune those past
 * ACTIVITY_DAYS. The only module that writes them (db/owners.test.ts). A deleted family's log goes
 * with its family row (a foreign key with ON DELETE CASCADE, migration 1005).
 */
import { ACTIVITY_DAYS } from '@burrow/api';
import { SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database, Db, FamilyActivityTable } from '../db/index.js';
import { chunkedInsert } from '../db/chunked-insert.js';
import { lockExistingFamilies } from '../families/access.js';
import { activityHash, GENESIS_HASH } from './activity-chain.js';
import { ACCOUNT_SUBJECT_KINDS, accountPseudonym } from './activity-pseudonym.js';

export type ActivityRow = FamilyActivityTable & { id: number };
/** An event before it has a place in the chain. */
export type NewActivity = Omit<FamilyActivityTable, 'id' | 'seq' | 'prev_hash' | 'hash'>;

const DAY_MS = 24 * 60 * 60 * 1000;
type Executor = Kysely<Database> | Transaction<Database>;

/** A flush's rows of one family, in chunks of fixed sizes whose statements are built once (db/chunked-insert.ts). */
const insertActivity = chunkedInsert<Omit<FamilyActivityTable, 'id'>>(
  ['family_id', 'seq', 'at', 'kind', 'account_id', 'device_id', 'toy_id', 'subject', 'prev_hash', 'hash'],
  (db, rows) => db.insertInto('family_activity').values(rows),
);

const isSqlite = (db: Executor): boolean => db.getExecutor().adapter instanceof SqliteAdapter;

/** The family's head, created empty if missing; locked for the transaction on PostgreSQL. */
async function lockedHead(trx: Transaction<Database>, familyId: string) {
  await trx
    .insertInto('family_activity_heads')
    .values({ family_id: familyId, first_seq: 1, anchor_hash: GENESIS_HASH, last_seq: 0, last_hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('family_id').doNothing())
    .execute();
  let q = trx.selectFrom('family_activity_heads').selectAll().where('family_id', '=', familyId);
  // Several nodes may append to one family at once: the row lock orders them (SQLite has one writer).
  if (!isSqlite(trx)) q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

/**
 * Appends events to their families' chains, in the order given, in one transaction: each family's
 * head row is read, extended and written back inside it, so chains never fork. Heads are locked in
 * family-id order (PostgreSQL), so two nodes appending to the same families cannot deadlock; one
 * commit per batch rather than one per family (a batch spans many families on a busy server).
 */
export async function appendActivity(db: Db, events: readonly NewActivity[]): Promise<number> {
  const byFamily = new Map<string, NewActivity[]>();
  for (const e of events) byFamily.set(e.family_id, [...(byFamily.get(e.family_id) ?? []), e]);
  if (byFamily.size === 0) return 0;
  return db.transaction().execute(async (trx) => {
    // A family deleted while its last events waited in the queue, or being deleted now, gets no new log.
    const existing = await lockExistingFamilies(trx, [...byFamily.keys()]);
    let written = 0;
    for (const familyId of [...byFamily.keys()].sort()) {
      const list = byFamily.get(familyId) ?? [];
      if (!existing.has(familyId)) continue;
      const head = await lockedHead(trx, familyId);
      let seq = head.last_seq;
      let prev = head.last_hash;
      const rows = list.map((e) => {
        seq += 1;
        // Accounts are stored under the family's pseudonym for them (activity-pseudonym.ts).
        const fields = {
          ...e,
          family_id: familyId,
          seq,
          account_id: e.account_id === null ? null : accountPseudonym(familyId, e.account_id),
          subject: e.subject !== null && ACCOUNT_SUBJECT_KINDS.has(e.kind) ? accountPseudonym(familyId, e.subject) : e.subject,
        };
        const hash = activityHash(prev, fields);
        const row = { ...fields, prev_hash: prev, hash };
        prev = hash;
        return row;
      });
      await insertActivity(trx, rows);
      await trx.updateTable('family_activity_heads').set({ last_seq: seq, last_hash: prev }).where('family_id', '=', familyId).execute();
      written += list.length;
    }
    return written;
  });
}

export interface ActivityFilter {
  kinds?: readonly string[];
  accountId?: string;
  toyId?: string;
  since?: number;
  before?: number;
  limit: number;
}

/** The family's events, newest first, within the filter. */
export async function listActivity(db: Db, familyId: string, f: ActivityFilter): Promise<ActivityRow[]> {
  let q = db.selectFrom('family_activity').selectAll().where('family_id', '=', familyId);
  if (f.kinds && f.kinds.length > 0) q = q.where('kind', 'in', f.kinds);
  if (f.accountId !== undefined) q = q.where('account_id', '=', accountPseudonym(familyId, f.accountId));
  if (f.toyId !== undefined) q = q.where('toy_id', '=', f.toyId);
  if (f.since !== undefined) q = q.where('at', '>=', f.since);
  if (f.before !== undefined) q = q.where('seq', '<', f.before);
  return (await q.orderBy('seq', 'desc').limit(f.limit).execute()) as ActivityRow[];
}

/**
 * Deletes up to about `limit` events older than ACTIVITY_DAYS, always a prefix of each family's
 * chain, and moves each head's start (first_seq, anchor_hash) past them, so the chain still verifies.
 */
export async function pruneActivityBatch(db: Db, now: number, limit: number): Promise<number> {
  const cutoff = now - ACTIVITY_DAYS * DAY_MS;
  const old = await db.selectFrom('family_activity').select(['family_id', 'seq', 'hash']).where('at', '<', cutoff).orderBy('at').limit(limit).execute();
  const lastOld = new Map<string, { seq: number; hash: string }>();
  for (const r of old) if ((lastOld.get(r.family_id)?.seq ?? 0) < r.seq) lastOld.set(r.family_id, { seq: r.seq, hash: r.hash });
  let deleted = 0;
  for (const [familyId, upTo] of lastOld) {
    await db.transaction().execute(async (trx) => {
      // A family deleted meanwhile has no chain left to prune (nor a head to create again).
      if (!(await lockExistingFamilies(trx, [familyId])).has(familyId)) return;
      await lockedHead(trx, familyId);
      const res = await trx.deleteFrom('family_activity').where('family_id', '=', familyId).where('seq', '<=', upTo.seq).executeTakeFirst();
      deleted += Number(res.numDeletedRows);
      await trx
        .updateTable('family_activity_heads')
        .set({ first_seq: upTo.seq + 1, anchor_hash: upTo.hash })
        .where('family_id', '=', familyId)
        .where('first_seq', '<=', upTo.seq)
        .execute();
    });
  }
  return deleted;
}
