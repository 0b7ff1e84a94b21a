/**
 * Records the shape of every query a test process runs, for `npm test`'s PostgreSQL lane.
 *
 * The suite runs every test file on SQLite but only a chosen subset on PostgreSQL (scripts/test-plan.mjs):
 * the two engines differ in their SQL (types, conflicts, locking, `returning`), not in the code around
 * it, so what must run on both is every query, not every test. A query's shape is its Kysely
 * operation tree with the values taken out, the same on both dialects because it is taken before
 * compilation. After both lanes, `npm test` fails when the SQLite lane ran a shape the PostgreSQL lane
 * never ran, and names the test files that would cover it.
 *
 * Off unless BURROW_TEST_QUERY_SHAPES names a file: then each process appends one line per distinct
 * shape and test file at exit — `<test file>\t<shape hash>\t<SQL as compiled here>`.
 */
import { createHash } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/** Node kinds whose contents vary with the values passed, not with the query's shape. */
const VALUE_KINDS = new Set(['ValueNode', 'PrimitiveValueListNode', 'DefaultInsertValueNode']);
/** Lists whose length varies with the data (`in (…)`, multi-row `values`): one element stands for all. */
const LIST_KINDS = new Set(['ValueListNode', 'ValuesNode']);

/**
 * Row locks (`for update`, `for share`, `skip locked`, …): PostgreSQL needs them where SQLite's single
 * writer already serializes, so the same query carries one on PostgreSQL only (audit/activity-store.ts).
 */
const LOCK_MODIFIERS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'NoWait', 'SkipLocked']);

function normalized(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string') return value;
  if (kind === 'SelectQueryNode') {
    const { endModifiers, ...rest } = value as { endModifiers?: readonly { modifier?: string }[] };
    const kept = endModifiers?.filter((m) => !LOCK_MODIFIERS.has(m.modifier ?? ''));
    return kept === undefined || kept.length === 0 ? rest : { ...rest, endModifiers: kept };
  }
  if (VALUE_KINDS.has(kind)) return kind;
  if (LIST_KINDS.has(kind)) {
    const { values } = value as { values: readonly unknown[] };
    return { kind, values: values.slice(0, 1) };
  }
  return value;
}

/** A short, dialect-independent name for a query's shape. */
export function queryShape(node: OperationNode): string {
  return createHash('sha256').update(JSON.stringify(node, normalized)).digest('base64url').slice(0, 16);
}

/** The plugins openDb adds: none in production, the recorder when BURROW_TEST_QUERY_SHAPES is set. */
export function queryShapePlugins(compile: (node: RootOperationNode) => string): KyselyPlugin[] {
  const log = process.env.BURROW_TEST_QUERY_SHAPES;
  return log ? [recorder(log, compile)] : [];
}

/**
 * Per test file, each shape seen and its SQL. The file is read when the query runs: several test files
 * can share a process, one after another, each named in BURROW_TEST_FILE while its tests run
 * (scripts/test-group/node-test.mjs); a server or CLI a test started inherits its name.
 */
const seen = new Map<string, Map<string, string>>();
const currentFile = (): string => process.env.BURROW_TEST_FILE ?? process.argv[1] ?? '?';
const skipping = new AsyncLocalStorage<true>();

/** Whether this process made a recorder (BURROW_TEST_QUERY_SHAPES was set when a database was opened). */
let recording = false;

/**
 * Runs `work` with its queries left out of the record: schema migrations (migrate.ts) and statements
 * one engine has and the other has no counterpart for (SQLite's `VACUUM INTO`, `pragma wal_checkpoint`).
 * With no recorder there is nothing to leave out, so `work` runs as it is: entering an
 * AsyncLocalStorage store even once switches on Node's promise hooks for the whole process, which
 * cost every awaited promise of every request about 80 ns (docs/performance.md).
 */
export function unrecorded<T>(work: () => Promise<T>): Promise<T> {
  return recording ? skipping.run(true, work) : work();
}

function recorder(log: string, compile: (node: RootOperationNode) => string): KyselyPlugin {
  if (!recording) {
    recording = true;
    process.on('exit', () => {
      const lines = [...seen].flatMap(([file, shapes]) => [...shapes].map(([shape, text]) => `${file}\t${shape}\t${text.replace(/\s+/g, ' ')}\n`));
      if (lines.length > 0) appendFileSync(log, lines.join(''));
    });
  }
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (skipping.getStore() === true) return node;
      const shape = queryShape(node);
      const file = currentFile();
      let shapes = seen.get(file);
      if (shapes === undefined) seen.set(file, (shapes = new Map<string, string>()));
      if (!shapes.has(shape)) shapes.set(shape, compile(node));
      return node;
    },
    transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(result);
    },
  };
}
