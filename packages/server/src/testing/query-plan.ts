/**
 * The plan an engine would run a query with, as text: the tests' way to prove a query is served by
 * an index (SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN lines, joined by "; ").
 */
import { CompiledQuery, sql } from 'kysely';
import { unrecorded, type Db, type Dialect } from '../db/index.js';

/**
 * The plan of the compiled query on `db`. On PostgreSQL sequential scans are priced out for the EXPLAIN (in its
 * own transaction): a test table is small enough that reading it whole is cheapest, and the plan
 * should show which index the query would take on a big one. Left out of the query-shape record
 * (db/query-shapes.ts): each engine's own EXPLAIN is the test's inspection, not a query of the product.
 */
export function planOf(db: Db, dialect: Dialect, compiled: CompiledQuery): Promise<string> {
  return unrecorded(async () => {
    if (dialect === 'sqlite') {
      const rows = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r.detail).join('; ');
    }
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN']).join('; ');
    });
  });
}
