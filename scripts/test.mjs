// `npm test`: the whole suite. Static checks first (types, lint, protocol purity, formatting of the
// vectors), then every *.test.ts under packages/ and scripts/ with node:test through tsx.
// BURROW_TEST_PG_URL=postgres://… runs the same suite against PostgreSQL instead of SQLite.
// `npm test -- --only-tests` skips the static checks (CI uses it for the second, PostgreSQL pass).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const onlyTests = process.argv.includes('--only-tests');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function run(label, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`${r.status === 0 ? '✓' : '✗'} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function* testFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* testFiles(path);
    else if (name.endsWith('.test.ts')) yield relative(root, path);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
if (!onlyTests) {
  // Node packages, then the web app (DOM types), its build scripts and the browser tests.
  for (const project of ['tsconfig.json', 'packages/web/tsconfig.json', 'packages/web/scripts/tsconfig.json', 'e2e/browser/tsconfig.json']) {
    run(`typecheck ${project}`, bin('tsc'), ['-p', project, '--noEmit']);
  }
  run('protocol purity', process.execPath, ['scripts/check-protocol-purity.mjs']);
  run('lint', bin('eslint'), ['.']);
}
const files = [...testFiles(join(root, 'packages')), ...testFiles(join(root, 'e2e')), ...testFiles(join(root, 'scripts'))].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const db = process.env.BURROW_TEST_PG_URL ? 'PostgreSQL' : 'SQLite';
run(`${files.length} test files on ${db}`, bin('tsx'), ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
