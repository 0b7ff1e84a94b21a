/**
 * Opens the database port: SQLite (embedded default, via libsql, which mirrors better-sqlite3's API)
 * or PostgreSQL (scale-out). Returns the Kysely instance and which dialect it speaks, for migrations.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
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

function openSqlite(path: string): OpenDb {
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
  // FULL: in WAL mode every commit fsyncs the WAL, so a row is on stable storage before its 2xx
  // (acknowledged means durable, P7). NORMAL could lose the last commits at power loss. The cost of
  // the fsync is shared by many requests through group commit (messages/group-commit.ts).
  database.pragma('synchronous = FULL');
  // libsql mirrors better-sqlite3's API, which is what Kysely's SqliteDialect drives.
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
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
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres' };
}

/** Opens the configured database; `onIdleError` hears of idle PostgreSQL connections that broke (default: ignored). */
export function openDb(config: DatabaseConfig, onIdleError: IdleConnectionError = () => undefined): OpenDb {
  return config.kind === 'sqlite' ? openSqlite(config.path) : openPostgres(config.url, onIdleError);
}
