/**
 * Multi-row inserts whose SQL is built once. The audit trail and the family activity log write their
 * queued events in one multi-row INSERT per flush; Kysely built and compiled that statement anew each
 * time, row by row (its value-list visitor was ≈ 3 % of the event loop's busy time in the durable
 * phase of the delivery benchmark, issue #11), and with every distinct row count a new SQL text for
 * the statement cache. Here rows go in chunks of fixed sizes (every size up to 8, then powers of two
 * up to 256), each chunk's statement compiled once per dialect (db/compiled.ts) and kept prepared
 * (db/statement-cache.ts): 5 rows are one statement, 70 rows two (64 + 6), all of them prepared already.
 */
import type { Compilable, Kysely, Transaction } from 'kysely';
import { compiledStatement, type CompiledStatement } from './compiled.js';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Chunk sizes, largest first; PostgreSQL's 65,535 bind parameters allow 256 rows of up to 255 columns. */
export const INSERT_CHUNKS = [256, 128, 64, 32, 16, 8, 7, 6, 5, 4, 3, 2, 1] as const;

export type ChunkedInsert<Row> = (db: Executor, rows: readonly Row[]) => Promise<void>;

/**
 * Inserts rows, every one of `columns` bound (a missing value is NULL). `build` makes the insert of
 * the rows it is given (the table's owner names its table: db/owners.test.ts); it gets placeholders,
 * which it must pass on as plain values.
 */
export function chunkedInsert<Row extends object>(
  columns: readonly (keyof Row & string)[],
  build: (db: Executor, rows: Row[]) => Compilable<unknown>,
): ChunkedInsert<Row> {
  const statements = new Map<number, CompiledStatement<unknown[], unknown>>();
  const statementFor = (rows: number): CompiledStatement<unknown[], unknown> => {
    let statement = statements.get(rows);
    if (!statement) {
      statement = compiledStatement(rows * columns.length, (db, ...args: unknown[]) =>
        build(db, Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, args[r * columns.length + i]])) as Row)),
      );
      statements.set(rows, statement);
    }
    return statement;
  };
  return async (db, rows) => {
    let at = 0;
    while (at < rows.length) {
      const size = INSERT_CHUNKS.find((n) => n <= rows.length - at)!;
      const args: unknown[] = [];
      for (let r = at; r < at + size; r++) for (const c of columns) args.push((rows[r]! as Record<string, unknown>)[c] ?? null);
      await statementFor(size).run(db, ...args);
      at += size;
    }
  };
}
