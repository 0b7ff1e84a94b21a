/**
 * Opens the database port: SQLite (embedded default, via libsql, which mirrors better-sqlite3's API)
 * or PostgreSQL (scale-out). Returns the Kysely instance and which dialect it speaks, for migrations.
 */
import { chmodSync, closeSync, existsSync, fdatasync, fsync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import Database from 'libsql';
import { Kysely, PostgresDialect, PostgresQueryCompiler, SqliteDialect, SqliteQueryCompiler } from 'kysely';
import type { RootOperationNode } from 'kysely';
import { startCheckpointer, type Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import { queryShapePlugins } from './query-shapes.js';
import { cachingStatements } from './statement-cache.js';
import { immediateTransactions } from './immediate-transactions.js';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Database as Schema, Db, Dialect } from './schema.js';

export interface OpenDb {
  db: Db;
  dialect: Dialect;
}

const PG_INT8 = 20;

/** pg's type parsers, except int8 (bigint, bigserial, count(*)) which becomes a JS number. */
const int8AsNumber = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === PG_INT8 && format !== 'binary'
    ? (v: string) => Number(v)
    : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser;

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

/** How each open database makes its commits durable (see `syncCommits`). */
const commitSyncers = new WeakMap<Db, () => Promise<void>>();

/**
 * Makes every transaction `db` committed so far durable, off the event loop. PostgreSQL already
 * flushed its WAL at COMMIT (synchronous_commit = on): nothing to do. SQLite runs WAL with
 * synchronous = NORMAL, so COMMIT only wrote its frames to the WAL file; this fdatasyncs that file on
 * libuv's threadpool — what synchronous = FULL does at every commit, but without blocking the event
 * loop and once for a whole batch of commits (messages/group-commit.ts calls it before a 2xx).
 */
export function syncCommits(db: Db): Promise<void> {
  return commitSyncers.get(db)?.() ?? Promise.resolve();
}

/** The WAL file's syncer, opened at its first use; its descriptor closes with the database. */
function walSyncer(path: string, database: Database.Database): () => Promise<void> {
  let fd: number | null = null;
  let dirSynced: Promise<void> | null = null;
  const close = database.close.bind(database);
  database.close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
    return close();
  };
  return async () => {
    // The WAL file exists from the first commit on and keeps its inode while the database is open
    // (a checkpoint rewinds it, never deletes it), so one descriptor serves for the process's life.
    fd ??= openSync(`${path}-wal`, 'r');
    // Its directory entry too, once: a new WAL file's name must survive a crash as well.
    dirSynced ??= (async () => {
      const dirFd = openSync(dirname(path), 'r');
      try {
        await fsyncAsync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    })();
    await dirSynced;
    await fdatasyncAsync(fd);
  };
}

/** The serving connections' checkpoint workers (see `checkpointerOf`). */
const checkpointers = new WeakMap<Db, Checkpointer>();

/** The checkpoint worker of a database opened with `checkpoints` (SQLite only), else undefined. */
export function checkpointerOf(db: Db): Checkpointer | undefined {
  return checkpointers.get(db);
}

/** How a serving process opens its database (one-shot commands and tools need none of it). */
export interface ServingOptions {
  /** SQLite: checkpoint from a worker thread, not in the serving connection's commits (db/checkpointer.ts). */
  checkpoints?: CheckpointerOptions;
  /** Told if the checkpoint worker fails (the connection then checkpoints by itself again). */
  onCheckpointError?: (err: Error) => void;
}

function openSqlite(path: string, serving: ServingOptions): OpenDb {
  // The data dir and the database file are readable by the server's user only.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) writeFileSync(path, '', { mode: 0o600 });
  chmodSync(path, 0o600);
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not left in free pages: an erased account or family
  // must not be readable from the file afterwards (db/erase.ts, docs/security.md "Erasure").
  database.pragma('secure_delete = ON');
  database.pragma('busy_timeout = 5000');
  // NORMAL: a commit writes the WAL without fsyncing it, so a write never blocks the event loop on the
  // disk (libsql is synchronous: FULL stalled every request for an fsync per write, ≈ 6 ms here, and
  // delivery collapsed). What a 2xx acknowledges is made durable explicitly instead: `syncCommits`
  // fdatasyncs the WAL off the event loop, once per group commit (P7). Checkpoints still sync.
  database.pragma('synchronous = NORMAL');
  // libsql mirrors better-sqlite3's API, which is what Kysely's SqliteDialect drives.
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: cachingStatements(immediateTransactions(database)) }),
    plugins: queryShapePlugins((node: RootOperationNode) => new SqliteQueryCompiler().compileQuery(node, { queryId: '' }).sql),
  });
  commitSyncers.set(db, walSyncer(path, database));
  if (serving.checkpoints) {
    const checkpointer = startCheckpointer(path, database, serving.checkpoints, serving.onCheckpointError);
    checkpointers.set(db, checkpointer);
    // The worker's connection closes first: no checkpoint runs on a closing database, and the serving
    // connection is the last, which SQLite folds the WAL back into the file for.
    const close = database.close.bind(database);
    database.close = () => {
      checkpointer.stop();
      return close();
    };
  }
  return { db, dialect: 'sqlite' };
}

/** Told when PostgreSQL drops a connection that sat idle in the pool (a restart, a failover, an administrator). */
export type IdleConnectionError = (err: Error) => void;

function openPostgres(url: string, onIdleError: IdleConnectionError): OpenDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // synchronous_commit stays at PostgreSQL's default (on): COMMIT returns once the WAL is flushed,
    // so an acknowledged row survives a crash. Do not turn it off for speed; group commit shares it.
    // Our int8 values are ms timestamps and sequence numbers, far below 2^53. Set per pool, not on
    // the global pg.types, so other pg users in the process are unaffected.
    types: { getTypeParser: int8AsNumber },
  });
  // pg emits 'error' on the pool when an idle client's connection ends under it; with no listener
  // that is an uncaught exception, so a PostgreSQL restart would take the whole process down. The
  // pool has already discarded the broken client: the next query opens a fresh connection.
  pool.on('error', onIdleError);
  // A client checked out of the pool (a transaction, or toy-sync holding one connection across its
  // reads) gets no pool listener: its connection dropped between two queries emitted 'error' with
  // none, and took the node down (multi-node test, PostgreSQL cut). Its next query fails instead
  // (a 503, logged by the request) and the pool discards it when it comes back, as it is no longer
  // queryable. Nothing to report here: an idle client's error reaches onIdleError through the pool.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    plugins: queryShapePlugins((node: RootOperationNode) => new PostgresQueryCompiler().compileQuery(node, { queryId: '' }).sql),
  });
  return { db, dialect: 'postgres' };
}

/**
 * Opens the configured database; `onIdleError` hears of idle PostgreSQL connections that broke
 * (default: ignored); `serving` is for the server's own connection (main.ts, startTestServer).
 */
export function openDb(config: DatabaseConfig, onIdleError: IdleConnectionError = () => undefined, serving: ServingOptions = {}): OpenDb {
  return config.kind === 'sqlite' ? openSqlite(config.path, serving) : openPostgres(config.url, onIdleError);
}
