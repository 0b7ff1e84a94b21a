/**
 * Which SQL statements a request runs, so the bench can print their plans on the seeded database (why
 * a seeded request is slower is a question about its statements' plans). SQLite only: libsql's
 * `prepare` is wrapped (before the server opens its database) to note each statement a request runs,
 * with the parameters of its first run. Read by `run.ts --plans`; nothing in the product uses it.
 */
import Database from 'libsql';

export interface Ran {
  sql: string;
  parameters: unknown[];
  /** Time in the statement (prepare excluded) over all runs, and how many runs. */
  ms: number;
  runs: number;
}

let noting: Map<string, Ran> | null = null;

type Statement = Record<'all' | 'get' | 'run' | 'iterate', (...args: unknown[]) => unknown>;

/** Wraps libsql's `prepare` once, for every connection opened after it. */
export function watchStatements(): void {
  const proto = Database.prototype as unknown as { prepare: (sql: string) => Statement };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string): Statement {
    const statement = prepare.call(this, sql);
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = statement[method].bind(statement);
      statement[method] = (...args: unknown[]) => {
        if (!noting) return original(...args);
        const ran = noting.get(sql) ?? { sql, parameters: (Array.isArray(args[0]) ? args[0] : args) as unknown[], ms: 0, runs: 0 };
        noting.set(sql, ran);
        const started = performance.now();
        try {
          return original(...args);
        } finally {
          ran.ms += performance.now() - started;
          ran.runs++;
        }
      };
    }
    return statement;
  };
}

/** The statements `fn` ran in `times` calls (each once, in first-run order, with its time summed). */
export async function statementsOf(fn: () => Promise<unknown>, times = 1): Promise<Ran[]> {
  noting = new Map();
  try {
    for (let i = 0; i < times; i++) await fn();
    return [...noting.values()];
  } finally {
    noting = null;
  }
}
