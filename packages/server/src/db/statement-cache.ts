/**
 * Prepared statements kept, not re-prepared per query. Kysely's SqliteDriver calls `prepare(sql)` for
 * every query; with libsql that compiles the SQL each time. Measured on this machine under load
 * (issue #11): prepare + run of the send-rate query 196-231 µs, the same on a kept statement
 * 72-116 µs — about 0.1 ms of event-loop time saved per query, a dozen queries per upload and send.
 *
 * Safe because libsql is synchronous: Kysely prepares and runs a statement in one call, so no two
 * queries use one statement at once. (Kysely's streamed queries would; the server streams none.)
 * Bounded, least recently used out: queries with `in (?, ?, …)` lists make many distinct texts.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept; a query past it is prepared again the next time. */
export const STATEMENT_CACHE_SIZE = 512;

/**
 * The statement with its `reader` flag read once: Kysely asks it on every run, and libsql answers it
 * with a native call each time (≈ 3 % of the event loop's busy time in the delivery benchmark's profile).
 */
function keepReader(statement: SqliteStatement): SqliteStatement {
  const reader = statement.reader;
  return {
    reader,
    all: (parameters) => statement.all(parameters),
    run: (parameters) => statement.run(parameters),
    iterate: (parameters) => statement.iterate(parameters),
  };
}

export function cachingStatements(database: SqliteDatabase, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      const hit = kept.get(sql);
      if (hit) {
        // Most recently used last: Map keeps insertion order.
        kept.delete(sql);
        kept.set(sql, hit);
        return hit;
      }
      const statement = keepReader(database.prepare(sql));
      kept.set(sql, statement);
      if (kept.size > size) kept.delete(kept.keys().next().value as string);
      return statement;
    },
    close(): void {
      kept.clear();
      database.close();
    },
  };
}
