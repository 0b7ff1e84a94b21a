/**
 * Fact rows: how several table owners answer one combined read (issue #11). A hot request that needs
 * a few small facts from tables of different owners (the send: the roster head, the recipients' KEM
 * epochs, the toys' pairing and settings, the blob and the send rate) used to pay one statement per
 * owner. Each owner instead exposes its read as a query of fact rows — the same four columns whatever
 * the table — and the caller joins them with `union all` into one statement. The owner still writes
 * the SQL that reads its table (STYLE.md 13); the caller only sees the rows.
 *
 *   fact  which fact the row carries (a literal the owner chooses, e.g. 'epoch')
 *   id    the key it is about (a device id, a hash), or null
 *   n     a number (PostgreSQL may answer a bigint as a string: read it with factNumber), or null
 *   s     a string, or null
 *
 * Every branch keeps its own `where` (no `order by` or `limit` at a branch's top level: SQLite refuses
 * them inside a compound select; a scalar subquery may have them). `in (…)` lists keep one query
 * shape whatever their length (db/query-shapes.ts), so the combined read is one shape on both engines.
 */
import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';

export interface FactRow {
  fact: string;
  id: string | null;
  n: number | string | null;
  s: string | null;
}

/** A query any owner returns: fact rows, from whatever table. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the branch's tables are its owner's business
export type FactQuery = SelectQueryBuilder<Database, any, FactRow>;

/** The `fact` column's value: a literal, so the statement's SQL names it (no parameter in a select list). */
export const factName = (name: string): RawBuilder<string> => sql.lit(name);

/** An empty column of a fact row (typed null: both engines resolve a union's column from its other branches). */
export const noFact = (): RawBuilder<null> => sql<null>`null`;

/** A fact row's number: PostgreSQL answers bigint columns as strings. */
export function factNumber(row: FactRow): number | undefined {
  return row.n === null ? undefined : Number(row.n);
}
