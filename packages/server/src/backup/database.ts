/**
 * Consistent database snapshots and their restore, per dialect.
 *
 * - SQLite: `VACUUM INTO` writes a transactionally consistent copy of the live database (readers and
 *   the WAL writer keep going), from a worker thread so the event loop does too (sqlite-copy.ts);
 *   that copy is the file we back up; restore writes it back as the file.
 * - PostgreSQL: `pg_dump --format=custom` (one transaction, a consistent snapshot); restore is
 *   `pg_restore` into an empty database. The password travels in PGPASSWORD, never in argv.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'libsql';
import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { BackupError } from './format.js';
import { copySqliteOffThread, publishCopy } from './sqlite-copy.js';

/** A libpq connection: the URL without its password, and the password for PGPASSWORD. */
function libpqTarget(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

const notInstalled = (command: string, e: NodeJS.ErrnoException): BackupError =>
  new BackupError(
    e.code === 'ENOENT'
      ? `${command} is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client).`
      : `${command} failed to start: ${e.message}`,
  );

/** A child process and the promise of its clean exit (stderr kept for the message, capped). */
function start(command: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcessByStdio<Writable, Readable, Readable>; exit: Promise<void> } {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 4000) err += d.toString();
  });
  const exit = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(notInstalled(command, e)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new BackupError(`${command} exited with ${String(code)}: ${err.trim().slice(0, 500)}`));
    });
  });
  child.stdin.on('error', () => undefined); // an early exit is reported by 'close'
  return { child, exit };
}

/**
 * A snapshot of the database, as a stream read once. `finished` settles when the stream was fully
 * produced (pg_dump exited cleanly); `blobKeys` is read after that, and `close` called at the end.
 */
export interface DatabaseSnapshot {
  stream: Readable;
  /** Its size in bytes: exact for SQLite, PostgreSQL's on-disk size as an estimate of the dump's. */
  estimatedBytes: number;
  finished: Promise<void>;
  /** How many blob rows the snapshot holds (the blob progress bar's total). */
  blobCount(): Promise<number>;
  /** Every blob key the snapshot references, in key order, a page (up to KEY_PAGE keys) at a time. */
  blobKeys(): AsyncGenerator<string[]>;
  /** Removes what the snapshot left on disk (SQLite's copy). */
  close(): void;
}

/** Blob keys read per query: memory for a page of keys, not for all 2.2 M of them. */
export const KEY_PAGE = 2000;

/** Every key, page after page: each page starts after the last (family_id, hash) of the one before. */
async function* pagedKeys(
  page: (after: { family_id: string; hash: string } | null) => Promise<{ family_id: string; hash: string }[]>,
): AsyncGenerator<string[]> {
  for (let after: { family_id: string; hash: string } | null = null; ; ) {
    const rows = await page(after);
    if (rows.length > 0) yield rows.map((r) => `${r.family_id}/${r.hash}`);
    if (rows.length < KEY_PAGE) return;
    after = rows[rows.length - 1] ?? null;
  }
}

/** Takes the snapshot. `scratch` is a 0700 folder for the SQLite copy (removed afterwards by the caller). */
export async function snapshotDatabase(config: DatabaseConfig, db: Db, scratch: string): Promise<DatabaseSnapshot> {
  if (config.kind === 'sqlite') {
    const path = join(scratch, 'snapshot.db');
    // VACUUM INTO in a worker thread with its own connection (sqlite-copy.ts): on the serving
    // connection it held the event loop for the whole copy, about a minute at 2 GB.
    const { blobs } = await copySqliteOffThread(config.path, path);
    const stream = createReadStream(path);
    const finished = new Promise<void>((resolve, reject) => {
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    finished.catch(() => undefined); // awaited by the caller unless the encryption failed first
    // The blob keys come from the snapshot itself, so they match the database exactly (on the
    // primary key's order, so each page is an index range).
    const blobKeys = async function* (): AsyncGenerator<string[]> {
      const copy = new Database(path, { readonly: true });
      try {
        const first = copy.prepare('select family_id, hash from blobs order by family_id, hash limit ?');
        const next = copy.prepare('select family_id, hash from blobs where (family_id, hash) > (?, ?) order by family_id, hash limit ?');
        type Row = { family_id: string; hash: string };
        yield* pagedKeys((after) =>
          Promise.resolve((after ? next.all(after.family_id, after.hash, KEY_PAGE) : first.all(KEY_PAGE)) as Row[]),
        );
      } finally {
        copy.close();
      }
    };
    // Counted by the copy's worker: a count of 2 M rows held the event loop too.
    const blobCount = (): Promise<number> => Promise.resolve(blobs);
    return { stream, estimatedBytes: statSync(path).size, finished, blobCount, blobKeys, close: () => rmSync(path, { force: true }) };
  }
  const size = await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(db);
  const target = libpqTarget(config.url);
  // pg_dump is a child process: the event loop only moves its output along (published on the same
  // channel as SQLite's copy, so a test sees requests answered while either runs).
  const { child, exit } = start('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--dbname=${target.url}`], target.env);
  publishCopy('start');
  exit.then(
    () => publishCopy('end'),
    () => publishCopy('end'),
  );
  // A failed pg_dump fails the stream it feeds (and is awaited through `finished` otherwise).
  exit.catch((e: unknown) => child.stdout.destroy(e as Error));
  return {
    stream: child.stdout,
    estimatedBytes: Number(size.rows[0]?.bytes ?? 0),
    finished: exit,
    blobCount: async () => Number((await db.selectFrom('blobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n),
    // Keys listed after the dump: a superset of the dump's, minus blobs deleted meanwhile (retention).
    blobKeys: () =>
      pagedKeys((after) => {
        let page = db.selectFrom('blobs').select(['family_id', 'hash']);
        if (after) page = page.where((eb) => eb(eb.refTuple('family_id', 'hash'), '>', eb.tuple(after.family_id, after.hash)));
        return page.orderBy('family_id').orderBy('hash').limit(KEY_PAGE).execute();
      }),
    close: () => undefined,
  };
}

/** Throws unless the target database is empty: a restore never overwrites data. */
export async function assertDatabaseEmpty(config: DatabaseConfig): Promise<void> {
  if (config.kind === 'sqlite') {
    for (const suffix of ['', '-wal'])
      if (existsSync(config.path + suffix) && statSync(config.path + suffix).size > 0)
        throw new BackupError(
          `${config.path + suffix} already exists. Restore only into an empty installation: move the old data folder aside (keep it as evidence) first.`,
        );
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from information_schema.tables where table_schema = 'public'",
    );
    if (Number(rows[0]?.n ?? 0) > 0)
      throw new BackupError(
        'The target PostgreSQL database has tables. Restore only into an empty database: create a new one (CREATE DATABASE …) and point BURROW_DATABASE_URL at it.',
      );
  } finally {
    await client.end();
  }
}

/**
 * Writes the snapshot stream into the (empty) target database. `source` must hold back its end
 * until its hash is checked (streams.ts `checking`): a SQLite file is written beside the target and
 * renamed only when complete; pg_restore runs in one transaction and sees a truncated dump, so
 * rolls back, if the source fails.
 */
export async function restoreDatabase(config: DatabaseConfig, source: Readable): Promise<void> {
  if (config.kind === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
    const partial = `${config.path}.partial`;
    try {
      await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
      renameSync(partial, config.path);
    } finally {
      rmSync(partial, { force: true });
    }
    return;
  }
  const target = libpqTarget(config.url);
  const { child, exit } = start(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${target.url}`],
    target.env,
  );
  const fed = pipeline(source, child.stdin);
  const [feeding, exiting] = await Promise.allSettled([fed, exit]);
  // The source's own failure (a hash, a decryption) says more than pg_restore's complaint about it.
  if (feeding.status === 'rejected' && feeding.reason instanceof BackupError) throw feeding.reason;
  if (exiting.status === 'rejected') throw exiting.reason;
  if (feeding.status === 'rejected') throw feeding.reason;
}
