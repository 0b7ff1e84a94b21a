// Type check and lint in one process, on one TypeScript program per project.
//
// `tsc --noEmit` per project and then type-aware ESLint built the same programs twice and type
// checked the same files twice: on a fresh clone the three tsc runs took ~180 CPU-s and ESLint
// ~320 CPU-s, most of it the checker's work again (cutting ESLint's rules to three type-aware ones
// cost the same). Here each project's program is built once, incrementally (its build info under
// node_modules/.cache/tsc, as tsc --incremental kept it), its diagnostics printed as tsc prints
// them, and the very same program handed to typescript-eslint (`parserOptions.programs`), so the
// lint's type questions hit a checker that has already answered them.
//
//   node scripts/check-types-and-lint.mjs [--cache-dir DIR]    exit 1 on any type error or lint error
//
// Plain JavaScript: it runs before anything is compiled.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'cache-dir': { type: 'string' } } });
const cache = values['cache-dir'] ?? join(root, 'node_modules', '.cache');

/**
 * Every .ts/.tsx file ESLint lints belongs to one of these (e2e/browser/tsconfig.json, kept for
 * editors, is the root project again). Order matters only for a file in two: the first one wins.
 */
const PROJECTS = ['tsconfig.json', 'packages/web/tsconfig.json', 'packages/web/scripts/tsconfig.json'];

const host = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

/** Builds one project's program, reusing and then updating its incremental build info. */
function buildProgram(project) {
  const path = join(root, project);
  const parsed = ts.getParsedCommandLineOfConfigFile(path, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
  if (!parsed) throw new Error(`cannot read ${project}`);
  const tsBuildInfoFile = join(cache, 'tsc', `${project.replace(/[/.]/g, '_')}.tsbuildinfo`);
  mkdirSync(dirname(tsBuildInfoFile), { recursive: true });
  const options = { ...parsed.options, noEmit: true, incremental: true, tsBuildInfoFile };
  const builder = ts.createIncrementalProgram({ rootNames: parsed.fileNames, options, projectReferences: parsed.projectReferences });
  const diagnostics = [
    ...parsed.errors,
    ...builder.getConfigFileParsingDiagnostics(),
    ...builder.getOptionsDiagnostics(),
    ...builder.getGlobalDiagnostics(),
    ...builder.getSyntacticDiagnostics(),
    ...builder.getSemanticDiagnostics(),
  ];
  // Writes only the build info (noEmit): the next run re-checks only what changed.
  builder.emit();
  return { program: builder.getProgram(), diagnostics };
}

function fail(diagnostics) {
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host));
}

let failed = false;
const programs = [];
for (const project of PROJECTS) {
  const started = performance.now();
  const { program, diagnostics } = buildProgram(project);
  programs.push(program);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    failed = true;
    fail(errors);
  }
  console.log(`${errors.length === 0 ? '✓' : '✗'} types ${project}: ${String(program.getRootFileNames().length)} files, ${String(errors.length)} errors (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

// ESLint's cache keys its results by the config's JSON: the projects stand for their programs there.
Object.defineProperty(programs, 'toJSON', { value: () => PROJECTS });

const lintStarted = performance.now();
const eslint = new ESLint({
  cwd: root,
  cache: true,
  cacheStrategy: 'content',
  cacheLocation: join(cache, 'eslint', ''),
  // The projects' own programs instead of typescript-eslint's project service building them again.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs } } },
});
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const report = await formatter.format(results);
if (report) console.log(report);
const errorCount = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
if (errorCount > 0) failed = true;
console.log(`${errorCount === 0 ? '✓' : '✗'} lint: ${String(results.length)} files, ${String(errorCount)} errors (${((performance.now() - lintStarted) / 1000).toFixed(1)} s)`);
process.exit(failed ? 1 : 0);
