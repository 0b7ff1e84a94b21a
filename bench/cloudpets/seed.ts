/**
 * Fills an installation (SQLite or PostgreSQL) to CloudPets' size by cloning one real family (made
 * through the API, so every row is shaped by the store that owns its table) with new ids. The fast
 * path: one connection, thousands of families per transaction, blobs written straight into the fs
 * store's layout (`blobs/<familyId>/<hash>`). SQLite: set-based, one `INSERT … SELECT` per template
 * row for 20,000 clones at a time (seed-sqlite.ts; message seqs `base + k·m + j`, so with gaps where a
 * clone drops its last message), `synchronous = OFF` on this connection only (a crash mid-seed means
 * seeding again). PostgreSQL: row by row, multi-row INSERTs through `pg`,
 * a table's rows of a whole transaction in as few statements as its parameter limit allows, and the
 * messages' sequence moved past the seeded ids at the end.
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
import pg from 'pg';
import { seedSqlite } from './seed-sqlite.js';

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

/** Where the seeder writes: the installation's database. */
export type SeedTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** One engine's reads and buffered writes, as the seeder needs them. */
interface Writer {
  all(sql: string, ...args: unknown[]): Promise<Row[]>;
  /** Queues a row of `table` (written by the next `commit` at the latest). */
  row(table: string, columns: string[], values: unknown[]): void;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Foreign keys checked (SQLite), sequences moved on (PostgreSQL), statistics gathered. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

function sqliteWriter(path: string): Writer & { db: Database.Database } {
  const db = new Database(path);
  db.pragma('busy_timeout = 60000');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF'); // checked once at the end instead
  db.pragma('cache_size = -262144'); // 256 MiB of page cache for this connection
  const statements = new Map<string, Database.Statement>();
  return {
    db,
    all: (sql, ...args) => Promise.resolve(db.prepare(sql).all(...args) as Row[]),
    row(table, columns, values) {
      let statement = statements.get(table);
      if (!statement) {
        statement = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        statements.set(table, statement);
      }
      statement.run(...values);
    },
    begin: () => Promise.resolve(void db.exec('begin')),
    commit: () => Promise.resolve(void db.exec('commit')),
    rollback: () => Promise.resolve(void db.exec('rollback')),
    finish() {
      const broken = db.prepare('pragma foreign_key_check').all();
      if (broken.length > 0) throw new Error(`seeded rows break ${String(broken.length)} foreign keys, e.g. ${JSON.stringify(broken[0])}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('analyze');
      return Promise.resolve();
    },
    close: () => Promise.resolve(void db.close()),
  };
}

/** PostgreSQL's limit on parameters in one statement. */
const PG_MAX_PARAMETERS = 65_535;
const PG_JSON = [114, 3802];

function postgresWriter(url: string): Writer {
  // JSON as its text and int8 as strings: what is read is written back unchanged (pg would turn a
  // JSON array parameter into a PostgreSQL array).
  const client = new pg.Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        PG_JSON.includes(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const connected = client.connect();
  const queued = new Map<string, { columns: string[]; rows: unknown[][] }>();
  const numbered = (sql: string): string => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${String(++n)}`);
  };
  const flush = async (): Promise<void> => {
    // Tables in the order their first row was queued: parents before children.
    for (const [table, { columns, rows }] of queued) {
      const per = Math.floor(PG_MAX_PARAMETERS / columns.length);
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        let p = 0;
        const tuples = chunk.map((r) => `(${r.map(() => `$${String(++p)}`).join(', ')})`).join(', ');
        await client.query(`insert into ${table} (${columns.join(', ')}) values ${tuples}`, chunk.flat());
      }
      rows.length = 0;
    }
  };
  return {
    async all(sql, ...args) {
      await connected;
      return (await client.query(numbered(sql), args)).rows as Row[];
    },
    row(table, columns, values) {
      const q = queued.get(table) ?? { columns, rows: [] };
      queued.set(table, q);
      q.rows.push(values);
    },
    async begin() {
      await connected;
      await client.query('begin');
    },
    async commit() {
      await flush();
      await client.query('commit');
    },
    async rollback() {
      for (const q of queued.values()) q.rows.length = 0;
      await client.query('rollback');
    },
    async finish() {
      await client.query(`select setval(pg_get_serial_sequence('messages', 'seq'), (select max(seq) from messages))`);
      await client.query('analyze');
    },
    close: () => client.end(),
  };
}

/** The template's rows per table, as the stores wrote them. */
async function templateRows(writer: Writer, t: Template): Promise<Map<string, Row[]>> {
  const accounts = [t.guardianAccountId, t.relativeAccountId];
  const rows = new Map<string, Row[]>();
  const all = (sql: string, ...args: unknown[]): Promise<Row[]> => writer.all(sql, ...args);
  rows.set('accounts', await all('select * from accounts where id in (?, ?)', ...accounts));
  // One session an account (its first): the timed log-ins before seeding add one each, and cloning
  // those too made 9.5 M sessions at a tenth of the size.
  rows.set(
    'sessions',
    await all('select s.* from sessions s where s.created_at = (select min(created_at) from sessions o where o.account_id = s.account_id) and s.account_id in (?, ?)', ...accounts),
  );
  rows.set('devices', await all('select * from devices where account_id in (?, ?) or family_id = ?', ...accounts, t.familyId));
  for (const table of ['families'])
    rows.set(table, await all(`select * from ${table} where id = ?`, t.familyId));
  for (const table of ['family_members', 'children', 'rosters', 'pairings', 'blobs', 'family_blob_usage'])
    rows.set(table, await all(`select * from ${table} where family_id = ?`, t.familyId));
  rows.set('messages', await all('select * from messages where family_id = ? order by seq', t.familyId));
  rows.set('message_recipients', await all('select r.* from message_recipients r join messages m on m.seq = r.message_seq where m.family_id = ?', t.familyId));
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
export async function seed(
  target: SeedTarget,
  blobDir: string,
  t: Template,
  counts: SeedCounts,
  { blobBytes = 1024, perTransaction, progress }: { blobBytes?: number; perTransaction?: number; progress?: SeedProgress } = {},
): Promise<{ accounts: number; messages: number; relatives: number; blobBytes: number }> {
  if (target.kind === 'sqlite') {
    const writer = sqliteWriter(target.path);
    try {
      const rows = await templateRows(writer, t);
      const wrote = await seedSqlite(writer.db, rows, blobDir, t, counts, TOKEN, { blobBytes, perTransaction: perTransaction ?? 20_000, progress });
      await writer.finish();
      return wrote;
    } finally {
      await writer.close();
    }
  }
  const writer = postgresWriter(target.url);
  try {
    return await seedWith(writer, blobDir, t, counts, { blobBytes, perTransaction: perTransaction ?? 2000, progress });
  } finally {
    await writer.close();
  }
}

async function seedWith(
  writer: Writer,
  blobDir: string,
  t: Template,
  counts: SeedCounts,
  { blobBytes, perTransaction, progress }: { blobBytes: number; perTransaction: number; progress: SeedProgress | undefined },
): Promise<{ accounts: number; messages: number; relatives: number; blobBytes: number }> {
  const rows = await templateRows(writer, t);
  // Messages get explicit seqs (their recipients name them): from past the highest so far.
  let nextSeq = Number((await writer.all('select max(seq) as m from messages'))[0]?.m ?? 0) + 1;
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
    run: (...args: unknown[]) => void;
    rows: { source: Row; values: Compiled[] }[];
  }
  const plans = new Map<string, Plan>();
  for (const [table, list] of rows) {
    const first = list[0];
    if (!first) continue;
    const columns = Object.keys(first);
    plans.set(table, {
      run: (...args) => writer.row(table, columns, args),
      rows: list.map((row) => ({
        source: row,
        values: columns.map((c): Compiled => {
          if (table === 'blobs' && c === 'size') return () => blobBytes;
          if (table === 'family_blob_usage' && c === 'bytes') return () => -1; // filled in per clone
          if (table === 'message_recipients' && c === 'message_seq') return () => -2; // the clone's new seq
          if (table === 'messages' && c === 'seq') return () => -2;
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
      const seq = nextSeq++;
      messagePlan.run(...m.values.map((f) => value(f, seq)));
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
    await writer.begin();
    try {
      for (let k = start; k < end; k++) cloneOne(k);
      await writer.commit();
    } catch (err) {
      await writer.rollback();
      throw err;
    }
    progress?.(end, counts.families);
  }
  await writer.finish();
  return { accounts, messages, relatives, blobBytes: bytes };
}
