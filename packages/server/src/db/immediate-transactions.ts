/**
 * SQLite transactions take the write lock when they begin. Kysely's SQLite driver opens every
 * transaction with a plain, deferred `begin`: such a transaction reads first and must upgrade its
 * lock to write, and SQLite refuses that upgrade at once with SQLITE_BUSY — without waiting out the
 * busy timeout — when another connection holds the write lock (the checkpoint worker's TRUNCATE, a
 * CLI command). libsql then leaves the failed statement active, so the connection's next COMMIT
 * fails with "SQL statements in progress" until that statement is garbage-collected: one moment of
 * contention turned into minutes of 500s (the retention test in CI, December 2026). `begin immediate`
 * takes the lock first and waits for it in the busy timeout, like any single write does.
 */
import type { SqliteDatabase } from 'kysely';

export function immediateTransactions(database: SqliteDatabase): SqliteDatabase {
  return {
    prepare: (sql: string) => database.prepare(sql === 'begin' ? 'begin immediate' : sql),
    close: () => database.close(),
  };
}
