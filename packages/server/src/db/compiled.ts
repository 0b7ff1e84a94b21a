/**
 * Queries built and compiled once, run many times. Kysely builds an operation tree and compiles it to
 * SQL on every call: in the delivery benchmark's CPU profile that was 16 % of the event loop's busy
 * time (issue #11), more than SQLite's own work on the same queries. A hot query whose shape never
 * changes (no `in` lists, no optional clauses) is declared here once with its parameters as
 * placeholders; the first run per dialect builds and compiles it, and every later run only fills the
 * parameters into the kept SQL. The statement itself is then kept by db/statement-cache.ts (SQLite).
 *
 * The query-shape recorder (db/query-shapes.ts) sees the query at its first compile, which is all it
 * records anyway.
 */
import type { Compilable, CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Stands for the i-th argument while the query is built once. */
class Placeholder {
  constructor(readonly index: number) {}
}

interface Kept<R> {
  compiled: CompiledQuery<R>;
  /** For each bound parameter: the argument it takes (a number), or the constant the builder put there. */
  bindings: readonly ({ arg: number } | { constant: unknown })[];
}

export interface CompiledStatement<A extends readonly unknown[], R> {
  /** Every row. */
  all(db: Executor, ...args: A): Promise<R[]>;
  /** The first row, if any. */
  first(db: Executor, ...args: A): Promise<R | undefined>;
  /** Runs it; the rows it changed (insert, update, delete). */
  run(db: Executor, ...args: A): Promise<number>;
}

/**
 * `build` gets the executor and one placeholder per argument (`arity` of them) and returns the query;
 * the placeholders must reach the query only as plain values (`where(col, '=', p)`, `values({ col: p })`,
 * `set({ col: p })`, `limit(p)`), never be inspected or spread.
 */
export function compiledStatement<A extends readonly unknown[], R>(
  arity: A['length'],
  build: (db: Executor, ...args: A) => Compilable<R>,
): CompiledStatement<A, R> {
  // One compiled form per dialect: keyed by the executor's adapter class (SQLite, PostgreSQL).
  const kept = new Map<unknown, Kept<R>>();

  function keep(db: Executor): Kept<R> {
    const adapter = db.getExecutor().adapter.constructor;
    const hit = kept.get(adapter);
    if (hit) return hit;
    const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i)) as unknown as A;
    const compiled = build(db, ...placeholders).compile();
    const bindings = compiled.parameters.map((p) => (p instanceof Placeholder ? { arg: p.index } : { constant: p }));
    const fresh = { compiled, bindings };
    kept.set(adapter, fresh);
    return fresh;
  }

  async function execute(db: Executor, args: A) {
    const { compiled, bindings } = keep(db);
    const parameters = bindings.map((b) => ('arg' in b ? args[b.arg] : b.constant));
    return db.executeQuery<R>({ ...compiled, parameters });
  }

  return {
    all: async (db, ...args) => (await execute(db, args)).rows,
    first: async (db, ...args) => (await execute(db, args)).rows[0],
    run: async (db, ...args) => Number((await execute(db, args)).numAffectedRows ?? 0n),
  };
}

export interface CompiledInList<A extends readonly unknown[], R> {
  /** Every row for these ids (none when `ids` is empty: no statement runs). */
  all(db: Executor, ids: readonly unknown[], ...args: A): Promise<R[]>;
}

/** Lists up to this long get a statement compiled once each; a longer one is built by Kysely per call. */
export const IN_LIST_KEPT = 8;

/**
 * A query with one `in (…)` list, compiled once per list length: Kysely writes one `?` per id, so each
 * length is its own SQL text. The delivery path's lists are short (a message's toys, its recipients:
 * one to a family's few devices), so lengths 1 to IN_LIST_KEPT are kept (db/compiled.ts and the
 * statement cache, like chunked-insert.ts's row counts); a longer list is rare and built as before.
 * `build` gets the ids (placeholders, to pass on as the `in` operand) and the other arguments.
 */
export function compiledInList<A extends readonly unknown[], R>(
  arity: A['length'],
  build: (db: Executor, ids: readonly unknown[], ...args: A) => Compilable<R>,
): CompiledInList<A, R> {
  const byLength = new Map<number, CompiledStatement<unknown[], R>>();
  return {
    async all(db, ids, ...args) {
      if (ids.length === 0) return [];
      if (ids.length > IN_LIST_KEPT) return (await db.executeQuery(build(db, ids, ...args).compile())).rows;
      let statement = byLength.get(ids.length);
      if (!statement) {
        const n = ids.length;
        statement = compiledStatement(n + arity, (d, ...all: unknown[]) => build(d, all.slice(0, n), ...(all.slice(n) as unknown as A)));
        byLength.set(n, statement);
      }
      return statement.all(db, ...ids, ...args);
    },
  };
}
