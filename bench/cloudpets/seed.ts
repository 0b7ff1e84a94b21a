/**
 * Fills a SQLite installation to CloudPets' size by cloning one real family (made through the API,
 * so every row is shaped by the store that owns its table) with new ids. The fast path: one
 * connection, prepared statements, thousands of families per transaction, `synchronous = OFF` on
 * this connection only (a crash mid-seed means seeding again), blobs written straight into the fs
 * store's layout (`blobs/<familyId>/<hash>`).
 *
 * Invariants it skips (listed in docs/performance.md): clones' signatures (rosters, envelopes) no
 * longer verify, as their ids were rewritten; a clone's email index is not the HMAC of any address,
 * so clones cannot sign in (the template accounts can); clones share the template's password hash
 * and sealed email. Nothing on a request path verifies those for rows it merely lists or finds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';

/** CloudPets' leak (2017): 821,396 accounts, 2,182,337 recordings, 371,970 relatives (docs/security.md). */
export const CLOUDPETS = { accounts: 821_396, recordings: 2_182_337, relatives: 371_970 } as const;

export interface Template {
  familyId: string;
  guardianAccountId: string;
  relativeAccountId: string;
  /** Message ids of the template, in order: clones beyond `recordings` drop the last one. */
  messageIds: string[];
}

export interface SeedCounts {
  families: number;
  /** Families (the first ones) that keep the template's relative. */
  withRelative: number;
  /** Families (the first ones) that keep all the template's messages; the rest drop the last. */
  withAllMessages: number;
}

/** How many clones give `accounts`, `relatives` and `recordings`, from a template of 2 accounts and `m` messages. */
export function countsFor(target: { accounts: number; recordings: number; relatives: number }, m: number): SeedCounts {
  const families = target.accounts - target.relatives; // one guardian per family
  const withAllMessages = target.recordings - families * (m - 1);
  if (withAllMessages < 0 || withAllMessages > families) throw new Error(`a template of ${String(m)} messages cannot make ${String(target.recordings)} recordings`);
  return { families, withRelative: target.relatives, withAllMessages };
}

type Row = Record<string, unknown>;

/** The template's rows per table, as the stores wrote them. */
function templateRows(db: Database.Database, t: Template): Map<string, Row[]> {
  const accounts = [t.guardianAccountId, t.relativeAccountId];
  const rows = new Map<string, Row[]>();
  const all = (sql: string, ...args: unknown[]): Row[] => db.prepare(sql).all(...args) as Row[];
  rows.set('accounts', all('select * from accounts where id in (?, ?)', ...accounts));
  // One session an account (its first): the timed log-ins before seeding add one each, and cloning
  // those too made 9.5 M sessions at a tenth of the size.
  rows.set('sessions', all('select * from sessions where rowid in (select min(rowid) from sessions where account_id in (?, ?) group by account_id)', ...accounts));
  rows.set('devices', all('select * from devices where account_id in (?, ?) or family_id = ?', ...accounts, t.familyId));
  for (const table of ['families'])
    rows.set(table, all(`select * from ${table} where id = ?`, t.familyId));
  for (const table of ['family_members', 'children', 'rosters', 'pairings', 'blobs', 'family_blob_usage'])
    rows.set(table, all(`select * from ${table} where family_id = ?`, t.familyId));
  rows.set('messages', all('select * from messages where family_id = ? order by seq', t.familyId));
  rows.set('message_recipients', all('select r.* from message_recipients r join messages m on m.seq = r.message_seq where m.family_id = ?', t.familyId));
  return rows;
}

/** Every id-like string in the template's rows (ids, hashes, keys, token hashes): what a clone renames. */
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export interface SeedProgress {
  (done: number, total: number): void;
}

/**
 * Clones the template `counts.families` times into the database at `dbPath` and the fs blob store at
 * `blobDir`, each blob `blobBytes` of random bytes named by its SHA-256 (so backup verification
 * holds). Returns what it wrote.
 */
export function seed(
  dbPath: string,
  blobDir: string,
  t: Template,
  counts: SeedCounts,
  { blobBytes = 1024, perTransaction = 2000, progress }: { blobBytes?: number; perTransaction?: number; progress?: SeedProgress } = {},
): { accounts: number; messages: number; relatives: number; blobBytes: number } {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF'); // checked once at the end instead
  db.pragma('cache_size = -262144'); // 256 MiB of page cache for this connection
  const rows = templateRows(db, t);
  const relativeDevices = new Set((rows.get('devices') ?? []).filter((d) => d.account_id === t.relativeAccountId).map((d) => d.id as string));
  const lastMessage = t.messageIds[t.messageIds.length - 1];
  const blobHashes = new Set((rows.get('blobs') ?? []).map((b) => b.hash as string));

  const tokenSet = new Set<string>();
  for (const list of rows.values())
    for (const row of list)
      for (const v of Object.values(row)) if (typeof v === 'string' && TOKEN.test(v)) tokenSet.add(v);
  // Longest first, so a token that contains another is replaced whole.
  const tokens = [...tokenSet].sort((a, b) => b.length - a.length);
  const tokenIndex = new Map(tokens.map((t, i) => [t, i]));
  const splitter = new RegExp(`(${tokens.map((x) => x.replace(/-/g, '\\-')).join('|')})`);
  const prefixes = tokens.map((x) => x.slice(0, -8));
  const blobTokens = [...blobHashes].map((h) => tokenIndex.get(h) ?? -1);

  /**
   * Each template value compiled once into literal text and token slots: a clone's value is then a
   * join, not a regular-expression pass (the seeder spends its time writing, not renaming).
   */
  type Compiled = (names: string[]) => unknown;
  const compile = (v: unknown): Compiled => {
    if (typeof v !== 'string') return () => v;
    const parts = v.split(splitter);
    if (parts.length === 1) return () => v;
    const slots = parts.map((p, i) => (i % 2 === 1 ? (tokenIndex.get(p) ?? -1) : -1));
    return (names) => {
      let out = '';
      for (let i = 0; i < parts.length; i++) out += i % 2 === 1 ? names[slots[i] ?? -1] : parts[i];
      return out;
    };
  };

  interface Plan {
    run: (...args: unknown[]) => { lastInsertRowid: number | bigint };
    rows: { source: Row; values: Compiled[] }[];
  }
  const plans = new Map<string, Plan>();
  for (const [table, list] of rows) {
    const first = list[0];
    if (!first) continue;
    const columns = Object.keys(first).filter((c) => !(table === 'messages' && c === 'seq'));
    const statement = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    plans.set(table, {
      run: (...args) => statement.run(...args),
      rows: list.map((row) => ({
        source: row,
        values: columns.map((c): Compiled => {
          if (table === 'blobs' && c === 'size') return () => blobBytes;
          if (table === 'family_blob_usage' && c === 'bytes') return () => -1; // filled in per clone
          if (table === 'message_recipients' && c === 'message_seq') return () => -2; // the clone's new seq
          return compile(row[c]);
        }),
      })),
    });
  }
  // Parents before children, as the foreign keys run (checked at the end, not per row).
  const order = ['accounts', 'sessions', 'families', 'children', 'devices', 'family_members', 'rosters', 'pairings', 'blobs', 'family_blob_usage'];
  const droppedBlob = (rows.get('messages') ?? []).find((m) => m.id === lastMessage)?.blob_hash;

  let accounts = 0;
  let messages = 0;
  let relatives = 0;
  let bytes = 0;
  const names: string[] = new Array<string>(tokens.length);
  const cloneOne = (k: number): void => {
    const suffix = k.toString(16).padStart(8, '0');
    for (let i = 0; i < tokens.length; i++) names[i] = (prefixes[i] ?? '') + suffix;
    const keepRelative = k < counts.withRelative;
    const keepAll = k < counts.withAllMessages;
    // Each blob gets its own bytes, named by their hash as the store names them.
    const familyId = names[tokenIndex.get(t.familyId) ?? -1] ?? '';
    mkdirSync(join(blobDir, familyId));
    let usage = 0;
    for (const [i, hash] of [...blobHashes].entries()) {
      if (!keepAll && hash === droppedBlob) continue;
      const blob = randomBytes(blobBytes);
      const name = createHash('sha256').update(blob).digest('base64url');
      names[blobTokens[i] ?? -1] = name;
      writeFileSync(join(blobDir, familyId, name), blob);
      usage += blobBytes;
    }
    const skip = (table: string, row: Row): boolean => {
      if (!keepRelative) {
        if ((table === 'accounts' && row.id === t.relativeAccountId) || (table !== 'accounts' && row.account_id === t.relativeAccountId)) return true;
        if ((table === 'devices' && relativeDevices.has(row.id as string)) || (table === 'message_recipients' && relativeDevices.has(row.device_id as string))) return true;
      }
      if (!keepAll && ((table === 'blobs' && row.hash === droppedBlob) || (table === 'messages' && row.id === lastMessage))) return true;
      return false;
    };
    const value = (f: Compiled, seq: number): unknown => {
      const v = f(names);
      return v === -1 ? usage : v === -2 ? seq : v;
    };
    for (const table of order) {
      const plan = plans.get(table);
      if (!plan) continue;
      for (const { source, values } of plan.rows) {
        if (skip(table, source)) continue;
        plan.run(...values.map((f) => value(f, 0)));
        if (table === 'accounts') accounts++;
        if (table === 'accounts' && source.id === t.relativeAccountId) relatives++;
      }
    }
    // Messages get new seqs; their recipients follow them.
    const messagePlan = plans.get('messages');
    const recipientPlan = plans.get('message_recipients');
    for (const m of messagePlan?.rows ?? []) {
      if (!messagePlan || skip('messages', m.source)) continue;
      const seq = Number(messagePlan.run(...m.values.map((f) => value(f, 0))).lastInsertRowid);
      messages++;
      for (const r of recipientPlan?.rows ?? []) {
        if (r.source.message_seq !== m.source.seq || skip('message_recipients', r.source)) continue;
        recipientPlan?.run(...r.values.map((f) => value(f, seq)));
      }
    }
    bytes += usage;
  };

  for (let start = 0; start < counts.families; start += perTransaction) {
    const end = Math.min(counts.families, start + perTransaction);
    db.exec('begin');
    try {
      for (let k = start; k < end; k++) cloneOne(k);
      db.exec('commit');
    } catch (err) {
      db.exec('rollback');
      throw err;
    }
    progress?.(end, counts.families);
  }
  const broken = db.prepare('pragma foreign_key_check').all();
  if (broken.length > 0) throw new Error(`seeded rows break ${String(broken.length)} foreign keys, e.g. ${JSON.stringify(broken[0])}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('analyze');
  db.close();
  return { accounts, messages, relatives, blobBytes: bytes };
}
