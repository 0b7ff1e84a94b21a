// `npm test`: the whole suite, from a fresh clone. Installs what is missing first (npm ci; the Debian
// packages in scripts/ensure-installed.mjs), then runs three lanes at once so both cores stay busy:
//
//   static      the STATIC_STEPS below, one after another (types, protocol purity, import rules, engines,
//               dependency audit, lint)
//   SQLite      every *.test.ts under packages/, e2e/ and scripts/ (node:test through tsx)
//   PostgreSQL  the test files that together run every query shape of the suite (scripts/test-plan.mjs)
//
// Options (after `npm test --`):
//   --db=sqlite | --db=postgres | --db=both   which databases (default both)
//   --no-static                               skip the static checks (--only-tests: the same)
//   --static-only                             only the static checks
//   <text> …                                  only test files whose path contains one of these
// Environment: BURROW_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres, the server
// every machine runs); BURROW_TEST_CONCURRENCY (test files at once per database, default 2).
// With more than one lane, each step's output is printed when it ends (whole, not interleaved).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies, ensureSystemPackagesInBackground } from './ensure-installed.mjs';
import { buildTests, MIRROR } from './build-tests.mjs';
import { writeGroups } from './test-group/groups.mjs';
import {
  followUpFiles,
  listTestFiles,
  POSTGRES_PLAN,
  postgresFiles,
  readCosts,
  readShapes,
  runOrder,
  uncoveredShapes,
} from './test-plan.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const cache = join(root, 'node_modules', '.cache');

/**
 * The static checks, in order (add a check here: { label, cmd, args }). tsc keeps incremental build info and
 * ESLint its results under node_modules/.cache, so an unchanged tree is checked in seconds (a fresh
 * clone pays the full price once). ESLint's cache is per file: a type change that alters another,
 * unchanged file's lint result is seen once that file changes or the cache is removed.
 */
const STATIC_STEPS = [
  { label: 'protocol purity', cmd: process.execPath, args: ['scripts/check-protocol-purity.mjs'] },
  // Import rules: no circles, dependencies point one way (.dependency-cruiser.cjs, docs/architecture.md).
  { label: 'import rules', cmd: bin('depcruise'), args: ['--config', '.dependency-cruiser.cjs', 'packages'] },
  // Dependencies: every locked package accepts our engines range; no known high/critical advisory
  // in production dependencies (npm audit, or the offline list when the audit endpoint is unreachable).
  { label: 'engines', cmd: process.execPath, args: ['scripts/check-engines.mjs'] },
  { label: 'dependency audit', cmd: process.execPath, args: ['scripts/audit.mjs'] },
  // The type check of every project and type-aware ESLint on the same programs, built once: as separate
  // tsc and eslint runs they took ~300 CPU-s on a fresh clone, the checker's work done twice.
  { label: 'types and lint', cmd: process.execPath, args: ['scripts/check-types-and-lint.mjs', '--cache-dir', cache] },
];

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const db = option('db') ?? 'both';
if (!['sqlite', 'postgres', 'both'].includes(db)) {
  console.error(`✗ --db must be sqlite, postgres or both (got "${db}").`);
  process.exit(2);
}
const staticOnly = args.includes('--static-only');
const runStatic = !args.includes('--no-static') && !args.includes('--only-tests');
const filters = args.filter((a) => !a.startsWith('--'));
const pgUrl = process.env.BURROW_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
// Two per lane, four test processes on two cores. Three per lane was faster on a fast machine (2 December
// 2026, the same bundled tests: both test lanes 716 s at two, 568 s at three), but on a machine about
// 2.2 times slower (the same day, later) six processes timed browser tests out in two runs of two
// (a page load past 30 s, a 15 s wait): a suite that passes on every machine comes first.
const concurrency = process.env.BURROW_TEST_CONCURRENCY || '2';
/** One test's limit (BURROW_TEST_TIMEOUT_S, default 300 s) and a whole step's (BURROW_TEST_STEP_TIMEOUT_S, default 60 min). */
const TEST_TIMEOUT_MS = Number(process.env.BURROW_TEST_TIMEOUT_S || 300) * 1000;
const STEP_TIMEOUT_MS = Number(process.env.BURROW_TEST_STEP_TIMEOUT_S || 3600) * 1000;

ensureDependencies();
// Debian packages (Chromium, sox, pg_dump…) install while the static checks run; the test lanes wait for them.
const systemReady = staticOnly ? Promise.resolve(true) : ensureSystemPackagesInBackground();

const all = listTestFiles().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const onPostgres = postgresFiles(all, { subset: filters.length > 0 });
const sqliteFiles = db === 'postgres' ? [] : runOrder(all);
const pgFiles = db === 'sqlite' ? [] : runOrder(onPostgres);
if (!staticOnly && filters.length > 0 && all.length === 0) {
  console.error(`✗ No test file matches ${filters.join(', ')}.`);
  process.exit(1);
}

/** Fails fast, with what to do, when the PostgreSQL pass cannot reach its server. */
async function checkPostgres() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    const shown = new URL(pgUrl);
    if (shown.password) shown.password = '***';
    console.error(
      `✗ PostgreSQL is not reachable at ${shown.toString()} (${err.message}): start it, point BURROW_TEST_PG_URL at one, or run \`npm test -- --db=sqlite\`.`,
    );
    process.exit(1);
  } finally {
    await client.end().catch(() => undefined);
  }
}
if (!staticOnly && pgFiles.length > 0) await checkPostgres();

const logs = join(root, 'test-output', 'logs');
mkdirSync(logs, { recursive: true });

/** Per lane: what each test file cost (scripts/test-costs.mjs) and which query shapes it ran (db/query-shapes.ts). */
const costLog = (lane) => join(logs, `costs-${lane}.tsv`);
const shapeLog = (lane) => join(logs, `query-shapes-${lane}.tsv`);
// Written only when the plan turns out to be out of date (below): never read one from an earlier run.
for (const log of [costLog('PostgreSQL-follow-up'), shapeLog('PostgreSQL-follow-up')]) rmSync(log, { force: true });

const lanes = [];
/** A test lane's one step: `files` as node --test runs them, logging costs and query shapes under `label`. */
let testStep;
if (runStatic) lanes.push({ name: 'static', steps: STATIC_STEPS });
if (!staticOnly) {
  // The tests run as compiled JavaScript from test-output/js (scripts/build-tests.mjs): a test process
  // then starts in ~1.3 CPU-s instead of ~3.5 through tsx's loader, for ~250 processes per run.
  // Built while the static lane starts; the test lanes start once it and the Debian packages are there.
  const built = Date.now();
  const mirrorReady = buildTests([...new Set([...sqliteFiles, ...pgFiles])]).then(
    (mirror) => {
      console.log(
        `▶ compiled ${String(mirror.compiled)} TypeScript files for the tests into test-output/js and bundled ${String(mirror.bundled.entries)} test files from ${String(mirror.bundled.inputs)} modules (${((Date.now() - built) / 1000).toFixed(1)} s)`,
      );
      return true;
    },
    (err) => {
      console.error(`✗ compiling the tests failed: ${err.message}`);
      return false;
    },
  );
  const testsReady = Promise.all([mirrorReady, systemReady]).then((oks) => oks.every(Boolean));
  testStep = (label, files, env) => {
    for (const log of [costLog(label), shapeLog(label)]) rmSync(log, { force: true });
    return {
      label: `${String(files.length)} test files on ${label}`,
      cmd: process.execPath,
      cwd: MIRROR,
      // Arguments read when the step starts: the mirror (and the group files in it) exist only then.
      // A test that hangs fails after TEST_TIMEOUT_MS instead of holding the lane, and a file whose tests
      // are done exits even if something it opened is still holding its event loop (that would otherwise
      // keep the whole run waiting until CI's limit, with nothing printed about which file it was).
      // Each file's process inherits --enable-source-maps, so a failure's stack names the .ts line.
      args: () => [
        '--enable-source-maps',
        '--import',
        join(root, 'scripts', 'test-costs.mjs'),
        '--test',
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${TEST_TIMEOUT_MS}`,
        '--test-force-exit',
        '--test-reporter=spec',
        // Several files per process (scripts/test-group/groups.mjs), written once the mirror is built;
        // unbundled, the files run as they are, one process each.
        ...(process.env.BURROW_TEST_UNBUNDLED === '1' ? files.map((f) => f.replace(/\.tsx?$/, '.js')) : writeGroups(MIRROR, label, files)),
      ],
      env: { ...env, BURROW_TEST_COST_LOG: costLog(label), BURROW_TEST_QUERY_SHAPES: shapeLog(label) },
    };
  };
  if (sqliteFiles.length > 0)
    lanes.push({
      name: 'SQLite',
      ready: testsReady,
      steps: [testStep('SQLite', sqliteFiles, { BURROW_TEST_PG_URL: undefined })],
    });
  if (pgFiles.length > 0)
    lanes.push({
      name: 'PostgreSQL',
      ready: testsReady,
      steps: [testStep('PostgreSQL', pgFiles, { BURROW_TEST_PG_URL: pgUrl })],
    });
}
const live = lanes.length === 1;

const results = [];
/** Steps run in process groups of their own (see runStep): Ctrl-C or a kill of npm test stops them too. */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    for (const pid of running)
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    process.exit(130);
  });
/** Runs one step; its output goes to test-output/logs/<label>.log and to the console (live or whole at the end). */
function runStep(step) {
  return new Promise((done) => {
    const started = Date.now();
    const file = join(logs, `${step.label.replace(/[^A-Za-z0-9]+/g, '-')}.log`);
    const out = createWriteStream(file);
    const chunks = [];
    console.log(`▶ ${step.label}`);
    // An undefined value removes the variable (the SQLite lane must not see BURROW_TEST_PG_URL at all).
    const env = Object.fromEntries(
      Object.entries({ ...process.env, ...step.env }).filter(([, v]) => v !== undefined),
    );
    // Its own process group, so a step that overruns STEP_TIMEOUT_MS is stopped with everything it started.
    const child = spawn(step.cmd, typeof step.args === 'function' ? step.args() : step.args, {
      cwd: step.cwd ?? root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid);
    const watchdog = setTimeout(() => {
      const line = `\n✗ ${step.label} ran longer than ${String(STEP_TIMEOUT_MS / 1000)} s: stopped (BURROW_TEST_STEP_TIMEOUT_S)\n`;
      out.write(line);
      chunks.push(Buffer.from(line));
      if (live) process.stdout.write(line);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, STEP_TIMEOUT_MS);
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk) => {
        out.write(chunk);
        if (live) process.stdout.write(chunk);
        else chunks.push(chunk);
      });
    child.on('close', (code) => {
      clearTimeout(watchdog);
      running.delete(child.pid);
      out.end();
      const seconds = (Date.now() - started) / 1000;
      if (!live) process.stdout.write(Buffer.concat(chunks));
      console.log(`${code === 0 ? '✓' : '✗'} ${step.label} (${seconds.toFixed(1)} s)\n`);
      results.push({ label: step.label, seconds, ok: code === 0 });
      done(code === 0);
    });
  });
}

/** A lane's steps run in order, each whatever the one before did, so one run shows every failure. */
async function runLane(lane) {
  if (lane.ready && !(await lane.ready)) {
    console.log(`✗ ${lane.name}: not run (see the failure above)`);
    results.push({ label: `${lane.name} tests`, seconds: 0, ok: false });
    return false;
  }
  let ok = true;
  for (const step of lane.steps) ok = (await runStep(step)) && ok;
  return ok;
}

const began = Date.now();
const outcomes = await Promise.all(lanes.map(runLane));
let ok = outcomes.every(Boolean);

// Every query shape the SQLite lane ran must have run on PostgreSQL too (scripts/test-plan.mjs): checked
// on a full run of both lanes; a run of chosen files (`npm test -- name`) runs all their candidates on both.
// The plan is what keeps the PostgreSQL lane short, not what makes it complete: when a change gave some
// file a query the plan's files do not run, the cheapest files that ran it on SQLite run again on
// PostgreSQL now (a follow-up step), and only a shape still missing after that fails the run.
if (sqliteFiles.length > 0 && pgFiles.length > 0 && filters.length === 0) {
  const read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const sqliteShapes = readShapes(read(shapeLog('SQLite')));
  const postgresShapes = () => readShapes(read(shapeLog('PostgreSQL')) + read(shapeLog('PostgreSQL-follow-up')));
  let missed = uncoveredShapes(sqliteShapes, postgresShapes());
  const files = missed.length > 0 ? followUpFiles(missed, readCosts(read(costLog('SQLite'))), pgFiles) : [];
  if (files.length > 0) {
    console.log(
      `▶ ${String(missed.length)} query shape(s) ran on SQLite but in no file of the PostgreSQL plan: running ${String(files.length)} more file(s) on PostgreSQL. The plan is out of date: choose it again (node scripts/test-plan.mjs --choose-postgres) and commit ${POSTGRES_PLAN}.`,
    );
    ok = (await runStep(testStep('PostgreSQL-follow-up', files, { BURROW_TEST_PG_URL: pgUrl }))) && ok;
    missed = uncoveredShapes(sqliteShapes, postgresShapes());
  }
  if (missed.length > 0) {
    ok = false;
    console.log(
      `✗ ${String(missed.length)} query shape(s) ran on SQLite but not on PostgreSQL. Add a file that runs each to ${POSTGRES_PLAN} (node scripts/test-plan.mjs --choose-postgres picks them after this run):`,
    );
    for (const m of missed.slice(0, 20))
      console.log(
        `    ${m.sql.slice(0, 140)}\n      run by ${m.files.slice(0, 4).join(', ')}${m.files.length > 4 ? ', …' : ''}`,
      );
  }
}

// Where the time went: the test files that cost the most CPU (on 2 cores, half of it is wall time).
{
  const costs = [
    ...readCosts(existsSync(costLog('SQLite')) ? readFileSync(costLog('SQLite'), 'utf8') : ''),
  ].sort((x, y) => y[1] - x[1]);
  if (costs.length > 0) {
    const total = costs.reduce((sum, [, cpu]) => sum + cpu, 0);
    console.log(
      `Costliest test files on SQLite (CPU-s of the test process; ${total.toFixed(0)} CPU-s for ${String(costs.length)} files):`,
    );
    for (const [file, cpu] of costs.slice(0, 8)) console.log(`  ${cpu.toFixed(1).padStart(6)}  ${file}`);
  }
}

console.log('Step times (wall clock; the lanes ran at the same time):');
for (const r of results)
  console.log(`  ${r.ok ? '✓' : '✗'} ${r.label.padEnd(48)} ${r.seconds.toFixed(1).padStart(7)} s`);
console.log(`  ${'total'.padEnd(50)} ${((Date.now() - began) / 1000).toFixed(1).padStart(7)} s`);
writeFileSync(
  join(logs, 'times.json'),
  JSON.stringify({ results, totalSeconds: (Date.now() - began) / 1000 }, null, 2),
);
if (!ok) console.log(`✗ npm test failed (logs in ${logs})`);
process.exit(ok ? 0 : 1);
