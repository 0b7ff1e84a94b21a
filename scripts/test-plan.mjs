// Which test files `npm test` runs, and which of them run a second time on PostgreSQL.
//
// Every *.test.ts under packages/, e2e/ and scripts/ runs once on SQLite. On PostgreSQL runs the
// cheapest set of files that together issue every query shape the suite issues (POSTGRES_PLAN, chosen
// by `choosePostgresFiles` from a full run's logs), plus every file that names BURROW_TEST_PG_URL.
// A file can be chosen when it can open a database: its imports (followed through relative paths and
// @burrow/* packages, `import type` excepted) reach OPENS_DATABASE. Browser tests (e2e/browser/) are
// chosen only for a query no API test runs. npm test checks the plan after every full run: a shape the
// SQLite lane ran and the PostgreSQL lane did not fails the run (scripts/test.mjs).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The module whose import means "this can open a database". */
export const OPENS_DATABASE = 'packages/server/src/db/open-db.ts';
/** Browser tests: on PostgreSQL only when the plan needs one, and not in a run of chosen files. */
export const SQLITE_ONLY_DIRS = ['e2e/browser/'];

const toPosix = (p) => p.split(sep).join('/');

/** Every *.test.ts under packages/, e2e/ and scripts/, relative to the repository root, sorted. */
export function listTestFiles() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) out.push(toPosix(relative(root, path)));
    }
  };
  for (const top of ['packages', 'e2e', 'scripts']) if (existsSync(join(root, top))) walk(join(root, top));
  return out.sort();
}

/** `@burrow/<name>[/sub]` → the file its package.json `exports` names, or null. */
function resolvePackage(spec) {
  const m = /^@burrow\/([^/]+)(\/.*)?$/.exec(spec);
  if (!m) return null;
  const pkgDir = join(root, 'packages', m[1]);
  const manifest = join(pkgDir, 'package.json');
  if (!existsSync(manifest)) return null;
  const exportsMap = JSON.parse(readFileSync(manifest, 'utf8')).exports ?? {};
  const target = exportsMap[`.${m[2] ?? ''}`];
  return typeof target === 'string' ? join(pkgDir, target) : null;
}

/** A relative or @burrow/* specifier → an existing source file, or null (npm packages, node:*). */
function resolveSpecifier(from, spec) {
  const base = spec.startsWith('.') ? resolve(dirname(from), spec) : resolvePackage(spec);
  if (base === null) return null;
  const stem = base.replace(/\.(m?js|tsx?)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

// Static and dynamic imports and re-exports; `import type` / `export type` are erased at run time.
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The files `file` imports at run time (relative and @burrow/* only). */
function importsOf(file) {
  const src = readFileSync(file, 'utf8');
  const out = [];
  for (const m of src.matchAll(IMPORT)) {
    if (m[1]) continue;
    const resolved = resolveSpecifier(file, m[2] ?? m[3]);
    if (resolved) out.push(resolved);
  }
  return out;
}

/** True when `file`'s run-time import closure reaches OPENS_DATABASE or it names BURROW_TEST_PG_URL. */
export function opensDatabase(file) {
  const start = join(root, file);
  if (readFileSync(start, 'utf8').includes('BURROW_TEST_PG_URL')) return true;
  const target = join(root, OPENS_DATABASE);
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const next = queue.pop();
    for (const dep of importsOf(next)) {
      if (dep === target) return true;
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return false;
}

/**
 * The longest test files (30–80 s each when CI runs four files at once), started first in each lane so
 * the run does not end with one of them running alone on an otherwise idle machine. Order only: every
 * file runs either way. Measured in CI logs; add a file here when it becomes one of the slowest.
 */
export const SLOW_FIRST = [
  'packages/server/src/backup/streaming.test.ts',
  'e2e/multi-node.test.ts',
  'e2e/durable-crash.test.ts',
  'e2e/ransom-drill.test.ts',
  'e2e/browser/family.test.ts',
  'e2e/browser/notices.test.ts',
  'e2e/browser/guardian-and-toy.test.ts',
  'e2e/browser/interop.test.ts',
  'e2e/browser/security.test.ts',
  'e2e/browser/status-and-meter.test.ts',
  'e2e/browser/toys.test.ts',
  'e2e/browser/protocol-vectors.test.ts',
  'packages/server/src/http/fuzz.test.ts',
  'e2e/delivery-bench.test.ts',
];

/** `files` in the order a lane starts them: SLOW_FIRST's (in that order), then the rest as given. */
export function runOrder(files) {
  const rank = (f) => {
    const i = SLOW_FIRST.indexOf(f);
    return i === -1 ? SLOW_FIRST.length : i;
  };
  return files.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
}

export const isSqliteOnly = (file) => SQLITE_ONLY_DIRS.some((d) => file.startsWith(d));

/** The files that can run on PostgreSQL at all: they open a database (browser tests included). */
export const postgresCandidates = (files) => files.filter((f) => opensDatabase(f));

/**
 * What running `file` once more costs, in CPU-seconds of its test process (`costs`, measured). A browser
 * test's Chromium is not in that figure and costs about twice its driver again (seen in `ps` during a
 * run), so a browser test is chosen only for a query no API test runs.
 */
const rerunCost = (file, costs) => Math.max(costs.get(file) ?? 10, 0.5) * (isSqliteOnly(file) ? 3 : 1);

/** The checked-in choice of files for the PostgreSQL lane (see `choosePostgresFiles`). */
export const POSTGRES_PLAN = 'scripts/postgres-plan.json';

/** A test file's content, in short: the plan notes what each candidate was when it was chosen. */
const contentOf = (file) => createHash('sha256').update(readFileSync(join(root, file))).digest('base64url').slice(0, 12);

function readPlan() {
  const path = join(root, POSTGRES_PLAN);
  if (!existsSync(path)) return null;
  const { files, seen } = JSON.parse(readFileSync(path, 'utf8'));
  return { files: new Set(files), seen: new Map(Object.entries(seen ?? {})) };
}

/**
 * The files of `files` that run on PostgreSQL as well. The two engines differ in SQL (types, conflicts,
 * locking, `returning`), not in the code around it, so the lane runs every query shape the suite runs
 * rather than every test: the planned files (POSTGRES_PLAN); any file that names BURROW_TEST_PG_URL
 * itself; and any candidate that is new or changed since the plan was chosen (its queries are not yet
 * known), until the plan is chosen again. When `files` is a hand-picked subset (`npm test -- name`),
 * every API test among them runs on both, as a developer checking one feature expects.
 */
export function postgresFiles(files, { subset = false } = {}) {
  const plan = readPlan();
  if (subset || plan === null) return postgresCandidates(files).filter((f) => !isSqliteOnly(f));
  return postgresCandidates(files).filter(
    (f) =>
      plan.files.has(f) ||
      plan.seen.get(f) !== contentOf(f) ||
      readFileSync(join(root, f), 'utf8').includes('BURROW_TEST_PG_URL'),
  );
}

/** A test process's file (an absolute path in test-output/js or the checkout) → its source, relative. */
const sourceOf = (path) => toPosix(relative(root, path.trim())).replace(/^test-output\/js\//, '').replace(/\.js$/, '.ts');

/** Reads a query-shape log (db/query-shapes.ts): shape → { sql, files }. */
export function readShapes(text) {
  const shapes = new Map();
  for (const line of text.split('\n')) {
    const [file, shape, sql] = line.split('\t');
    if (!shape) continue;
    const entry = shapes.get(shape) ?? { sql, files: new Set() };
    entry.files.add(sourceOf(file));
    shapes.set(shape, entry);
  }
  return shapes;
}

/** Reads a cost log (scripts/test-costs.mjs): file → CPU seconds. */
export function readCosts(text) {
  const costs = new Map();
  for (const line of text.split('\n')) {
    const [file, cpu] = line.split('\t');
    if (file && cpu) costs.set(sourceOf(file), Number(cpu));
  }
  return costs;
}

/** The shapes the SQLite lane ran that the PostgreSQL lane did not: [{ shape, sql, files }]. */
export function uncoveredShapes(sqliteShapes, postgresShapes) {
  return [...sqliteShapes]
    .filter(([shape]) => !postgresShapes.has(shape))
    .map(([shape, { sql, files }]) => ({ shape, sql, files: [...files].sort() }));
}

/**
 * The cheapest set of candidate files (greedy weighted set cover: most new shapes per CPU-second
 * first) whose queries together include every shape in `shapes` that a candidate runs. Returns the
 * files and the shapes no candidate runs (a browser-only query: an API test must run it).
 */
export function choosePostgresFiles(shapes, costs, candidates) {
  const candidateSet = new Set(candidates);
  const byFile = new Map(candidates.map((f) => [f, new Set()]));
  const orphans = [];
  for (const [shape, { sql, files }] of shapes) {
    const runnable = [...files].filter((f) => candidateSet.has(f));
    if (runnable.length === 0) orphans.push({ shape, sql, files: [...files].sort() });
    for (const f of runnable) byFile.get(f).add(shape);
  }
  const left = new Set([...byFile.values()].flatMap((s) => [...s]));
  const chosen = [];
  while (left.size > 0) {
    let best = null;
    let bestScore = 0;
    for (const [f, own] of byFile) {
      let fresh = 0;
      for (const s of own) if (left.has(s)) fresh += 1;
      const score = fresh / rerunCost(f, costs);
      if (score > bestScore) [best, bestScore] = [f, score];
    }
    chosen.push(best);
    for (const s of byFile.get(best)) left.delete(s);
    byFile.delete(best);
  }
  return { files: chosen.sort(), orphans };
}

/**
 * When the plan is out of date (a change gave some file a query no planned file runs): the cheapest
 * files that ran the `missed` shapes on SQLite and have not run on PostgreSQL, to run there now.
 */
export function followUpFiles(missed, costs, ranOnPostgres) {
  const ran = new Set(ranOnPostgres);
  const rerunnable = [...new Set(missed.flatMap((m) => m.files))].filter((f) => !ran.has(f));
  if (rerunnable.length === 0) return [];
  const shapes = new Map(missed.map((m) => [m.shape, { sql: m.sql, files: new Set(m.files) }]));
  return choosePostgresFiles(shapes, costs, rerunnable).files;
}

// `node scripts/test-plan.mjs`: print the plan. `--choose-postgres`: after a full `npm test` (its logs
// in test-output/logs), choose the PostgreSQL files anew and write POSTGRES_PLAN.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = listTestFiles();
  if (process.argv.includes('--choose-postgres')) {
    const logs = join(root, 'test-output', 'logs');
    const shapes = readShapes(readFileSync(join(logs, 'query-shapes-SQLite.tsv'), 'utf8'));
    const costs = readCosts(readFileSync(join(logs, 'costs-SQLite.tsv'), 'utf8'));
    const candidates = postgresCandidates(files);
    const { files: chosen, orphans } = choosePostgresFiles(shapes, costs, candidates);
    const cpu = (list) => list.reduce((sum, f) => sum + (costs.get(f) ?? 0), 0).toFixed(0);
    writeFileSync(
      join(root, POSTGRES_PLAN),
      `${JSON.stringify(
        {
          about:
            'Test files the PostgreSQL lane runs: together they run every query shape of the suite. `seen`: each candidate when they were chosen; a new or changed one runs on PostgreSQL too until the next choice (scripts/test-plan.mjs; choose again with node scripts/test-plan.mjs --choose-postgres after a full npm test).',
          files: chosen,
          seen: Object.fromEntries(candidates.map((f) => [f, contentOf(f)])),
        },
        null,
        2,
      )}\n`,
    );
    console.log(`${String(shapes.size)} query shapes; ${String(chosen.length)} of ${String(candidates.length)} candidate files cover them (${cpu(chosen)} of ${cpu(candidates)} CPU-s on SQLite). Wrote ${POSTGRES_PLAN}.`);
    for (const o of orphans) console.log(`  no candidate runs ${o.shape} (${o.files.join(', ')}): ${o.sql.slice(0, 160)}`);
  } else {
    const pg = new Set(postgresFiles(files));
    for (const f of files) console.log(`${pg.has(f) ? 'SQLite + PostgreSQL' : isSqliteOnly(f) ? 'SQLite (browser)  ' : 'SQLite only       '}  ${f}`);
    console.log(`\n${String(files.length)} files; ${String(pg.size)} also on PostgreSQL.`);
  }
}
