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
        if (noting && !noting.has(sql)) noting.set(sql, { sql, parameters: (Array.isArray(args[0]) ? args[0] : args) as unknown[] });
        return original(...args);
      };
    }
    return statement;
  };
}

/** The statements `fn` ran (each once, in first-run order). */
export async function statementsOf(fn: () => Promise<unknown>): Promise<Ran[]> {
  noting = new Map();
  try {
    await fn();
    return [...noting.values()];
  } finally {
    noting = null;
  }
}
