/**
 * The SQLite seeder, set-based: every template row becomes one `INSERT … SELECT` over a temporary
 * table holding one row per clone of the transaction (its number `k`, its 8-hex-digit suffix and
 * its blobs' hashes), so SQLite writes 20,000 families' rows of a table in one statement instead
 * of one `run()` from JavaScript per row. A clone's ids are the template's with their last 8
 * characters replaced by `k` in hex, as the row-by-row path (seed.ts, still PostgreSQL's) names them;
 * its messages' seqs are `base + k·m + j`. JavaScript only draws each clone's blobs (random bytes,
 * named by their SHA-256, as the fs store names them), written with bounded concurrency on the
 * threadpool while SQLite inserts the previous batch's rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'libsql';
import type { SeedCounts, SeedProgress, Template } from './seed.js';

type Row = Record<string, unknown>;

/** Blob files written at once (each a mkdir or a write on the threadpool). */
const FILES_IN_FLIGHT = 64;

/** Runs `jobs` with at most `limit` pending at a time. */
async function bounded(jobs: Iterable<() => Promise<unknown>>, limit: number): Promise<void> {
  const it = jobs[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = it.next(); next.done !== true; next = it.next()) await next.value();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

export async function seedSqlite(
  db: Database.Database,
  rows: Map<string, Row[]>,
  blobDir: string,
  t: Template,
  counts: SeedCounts,
  tokenPattern: RegExp,
  { blobBytes, perTransaction, progress }: { blobBytes: number; perTransaction: number; progress: SeedProgress | undefined },
): Promise<{ accounts: number; messages: number; relatives: number; blobBytes: number }> {
  const templateBlobs = (rows.get('blobs') ?? []).map((b) => b.hash as string);
  const lastMessage = t.messageIds[t.messageIds.length - 1];
  const templateMessages = rows.get('messages') ?? [];
  const droppedBlob = templateMessages.find((m) => m.id === lastMessage)?.blob_hash as string | undefined;
  const relativeDevices = new Set((rows.get('devices') ?? []).filter((d) => d.account_id === t.relativeAccountId).map((d) => d.id as string));
  const seqOf = new Map(templateMessages.map((m, j) => [m.seq as number, j]));
  const m = templateMessages.length;
  const base = Number((db.prepare('select max(seq) as m from messages').get() as { m: number | null }).m ?? 0) + 1;

  const tokenSet = new Set<string>();
  for (const list of rows.values()) for (const row of list) for (const v of Object.values(row)) if (typeof v === 'string' && tokenPattern.test(v)) tokenSet.add(v);
  const tokens = [...tokenSet].sort((a, b) => b.length - a.length); // longest first: a token inside another is replaced whole
  const splitter = new RegExp(`(${tokens.map((x) => x.replace(/-/g, '\\-')).join('|')})`);
  const blobColumn = new Map(templateBlobs.map((h, i) => [h, `h${String(i)}`]));

  db.exec(`drop table if exists temp.seed_k; create temp table seed_k (k integer primary key, s text not null${templateBlobs.map((_, i) => `, h${String(i)} text`).join('')})`);

  /** A value as SQL over seed_k: literal parts bound as parameters, tokens renamed per clone. */
  const expression = (v: unknown, params: unknown[]): string => {
    if (typeof v !== 'string') {
      params.push(v);
      return '?';
    }
    const parts = v.split(splitter);
    if (parts.length === 1) {
      params.push(v);
      return '?';
    }
    const sql: string[] = [];
    parts.forEach((p, i) => {
      if (i % 2 === 0) {
        if (p === '') return;
        params.push(p);
        sql.push('?');
        return;
      }
      const blob = blobColumn.get(p);
      if (blob) sql.push(blob);
      else {
        params.push(p.slice(0, -8));
        sql.push('(? || s)');
      }
    });
    return sql.length === 0 ? "''" : sql.join(' || ');
  };

  /** One statement per template row: its clones in [lo, hi), skipping those that drop it. */
  interface Insert {
    run(lo: number, hi: number): number;
    /** How many clones in [lo, hi) get this row. */
    rowsIn(lo: number, hi: number): number;
  }
  const inserts: { table: string; source: Row; insert: Insert }[] = [];
  const blobsKept = (all: boolean): number => (templateBlobs.length - (all || droppedBlob === undefined ? 0 : 1)) * blobBytes;
  for (const [table, list] of rows) {
    for (const row of list) {
      const params: unknown[] = [];
      const columns = Object.keys(row);
      const values = columns.map((c) => {
        if (table === 'blobs' && c === 'size') return expression(blobBytes, params);
        if (table === 'family_blob_usage' && c === 'bytes') {
          params.push(counts.withAllMessages, blobsKept(true), blobsKept(false));
          return 'case when k < ? then ? else ? end';
        }
        if ((table === 'messages' && c === 'seq') || (table === 'message_recipients' && c === 'message_seq')) {
          const j = seqOf.get((table === 'messages' ? row.seq : row.message_seq) as number) ?? 0;
          params.push(base + j, m);
          return '(? + k * ?)';
        }
        return expression(row[c], params);
      });
      // Which clones drop this row: those past withRelative (the relative's rows), past withAllMessages (the last message's).
      let limit = counts.families;
      const relatives = (): void => void (limit = Math.min(limit, counts.withRelative));
      const allMessages = (): void => void (limit = Math.min(limit, counts.withAllMessages));
      if ((table === 'accounts' && row.id === t.relativeAccountId) || (table !== 'accounts' && row.account_id === t.relativeAccountId)) relatives();
      if ((table === 'devices' && relativeDevices.has(row.id as string)) || (table === 'message_recipients' && relativeDevices.has(row.device_id as string))) relatives();
      if ((table === 'blobs' && row.hash === droppedBlob) || (table === 'messages' && row.id === lastMessage)) allMessages();
      if (table === 'message_recipients' && templateMessages.find((x) => x.seq === row.message_seq)?.id === lastMessage) allMessages();
      const statement = db.prepare(`insert into ${table} (${columns.join(', ')}) select ${values.join(', ')} from seed_k where k >= ? and k < ?`);
      inserts.push({
        table,
        source: row,
        insert: {
          run: (lo, hi) => Number(statement.run(...params, lo, Math.min(hi, limit)).changes),
          rowsIn: (lo, hi) => Math.max(0, Math.min(hi, limit) - lo),
        },
      });
    }
  }

  const fillK = db.prepare(`insert into seed_k values (?, ?${templateBlobs.map(() => ', ?').join('')})`);
  let accounts = 0;
  let messages = 0;
  let relatives = 0;
  let bytes = 0;
  const familyPrefix = t.familyId.slice(0, -8);
  /** A batch's blob files, written while SQLite inserts its rows. */
  let writing: Promise<void> = Promise.resolve();
  for (let lo = 0; lo < counts.families; lo += perTransaction) {
    const hi = Math.min(counts.families, lo + perTransaction);
    const files: { dir: string; blobs: { name: string; bytes: Buffer }[] }[] = [];
    db.exec('begin');
    try {
      db.exec('delete from seed_k');
      for (let k = lo; k < hi; k++) {
        const suffix = k.toString(16).padStart(8, '0');
        const keepAll = k < counts.withAllMessages;
        const blobs: { name: string; bytes: Buffer }[] = [];
        const hashes = templateBlobs.map((h) => {
          if (!keepAll && h === droppedBlob) return null;
          const blob = randomBytes(blobBytes);
          const name = createHash('sha256').update(blob).digest('base64url');
          blobs.push({ name, bytes: blob });
          return name;
        });
        fillK.run(k, suffix, ...hashes);
        files.push({ dir: join(blobDir, familyPrefix + suffix), blobs });
        bytes += blobs.length * blobBytes;
      }
      // The previous batch's files finish meanwhile; this batch's start now and run under the inserts.
      await writing;
      writing = bounded(
        (function* () {
          for (const f of files) yield () => mkdir(f.dir).then(() => bounded(f.blobs.map((b) => () => writeFile(join(f.dir, b.name), b.bytes)), f.blobs.length));
        })(),
        FILES_IN_FLIGHT / 4,
      );
      writing.catch(() => undefined); // awaited before the next batch and at the end
      for (const { table, source, insert } of inserts) {
        const n = insert.run(lo, hi);
        if (n !== insert.rowsIn(lo, hi)) throw new Error(`${table}: ${String(n)} rows for ${String(insert.rowsIn(lo, hi))} clones`);
        if (table === 'accounts') accounts += n;
        if (table === 'accounts' && source.id === t.relativeAccountId) relatives += n;
        if (table === 'messages') messages += n;
      }
      db.exec('commit');
    } catch (err) {
      db.exec('rollback');
      await writing.catch(() => undefined);
      throw err;
    }
    // The last batch's files are written before it is reported, so the last line's time is the seeding's.
    if (hi === counts.families) await writing;
    progress?.(hi, counts.families);
  }
  await writing;
  db.exec('drop table temp.seed_k');
  return { accounts, messages, relatives, blobBytes: bytes };
}
