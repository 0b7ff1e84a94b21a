// Which test files `npm test` runs, and which of them run a second time on PostgreSQL.
//
// Every *.test.ts under packages/, e2e/ and scripts/ runs once on SQLite. A file runs on PostgreSQL
// too when it can open a database: its imports (followed through relative paths and @burrow/*
// packages, `import type` excepted) reach OPENS_DATABASE, or it names BURROW_TEST_PG_URL itself.
// The browser tests (e2e/browser/) are the exception: they drive the UI over the same routes whose
// SQL the API tests already run on both databases, so they run once.
//
// Checked at run time as well: startTestServer appends its test file to BURROW_TEST_DB_LOG, and
// `npm test` fails when a file that started a server is neither planned for PostgreSQL nor a browser
// test — so a test that reaches the database some other way cannot silently miss PostgreSQL.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The module whose import means "this can open a database". */
export const OPENS_DATABASE = 'packages/server/src/db/open-db.ts';
/** Run once, on SQLite (see above). */
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

/** The files of `files` that run on PostgreSQL as well. */
export const postgresFiles = (files) => files.filter((f) => !isSqliteOnly(f) && opensDatabase(f));

/**
 * The files that started a test server (BURROW_TEST_DB_LOG lines, absolute paths) but are not in
 * `planned` and not SQLite-only: each is a database test that would miss PostgreSQL.
 */
export function unplannedDatabaseFiles(logText, planned) {
  const plannedSet = new Set(planned);
  const used = new Set(
    logText
      .split('\n')
      .filter((l) => l.trim() !== '')
      // Tests run compiled from test-output/js (scripts/build-tests.mjs): name each by its source.
      .map((l) => toPosix(relative(root, l.trim())).replace(/^test-output\/js\//, '').replace(/\.js$/, '.ts')),
  );
  return [...used].filter((f) => f.endsWith('.test.ts') && !plannedSet.has(f) && !isSqliteOnly(f)).sort();
}

// `node scripts/test-plan.mjs`: print the plan.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = listTestFiles();
  const pg = new Set(postgresFiles(files));
  for (const f of files) console.log(`${pg.has(f) ? 'SQLite + PostgreSQL' : isSqliteOnly(f) ? 'SQLite (browser)  ' : 'once (no database) '}  ${f}`);
  console.log(`\n${String(files.length)} files; ${String(pg.size)} also on PostgreSQL.`);
}
