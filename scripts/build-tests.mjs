// Compiles the repository's TypeScript once per `npm test`, so each test process starts as plain
// JavaScript instead of loading ~400 modules through tsx's loader hooks (measured on this machine:
// importing the server costs ~3.5 CPU-s through tsx and ~1.3 CPU-s as compiled JavaScript; the suite
// starts ~250 such processes).
//
// The result is a mirror of the checkout under test-output/js/: every tracked file copied as it is
// (so code and tests that read files beside themselves — migrations' neighbours, fixtures, README,
// docs — find them), every .ts/.tsx file also compiled beside itself to .js by esbuild (the same
// transform tsx applies, per file: verbatimModuleSyntax keeps imports as written), and symbolic links
// for what is not tracked: node_modules (except our own @burrow/* packages, which point into the
// mirror, with their `exports` rewritten from .ts to .js) and the build outputs (dist/ folders).
// Then the test files themselves are bundled over their compiled twins (scripts/bundle-tests.mjs):
// a test process loads a few large modules instead of ~1,300 small ones.
//
//   node scripts/build-tests.mjs        → prints the mirror's path
//   BURROW_TEST_UNBUNDLED=1              test files compiled file by file like the rest (to tell a
//                                        bundling problem from a test's own)
//
// Plain JavaScript: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTests } from './bundle-tests.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const MIRROR = join(root, 'test-output', 'js');
/** The marker file at the mirror's root (the bins look for it three folders up). */
export const COMPILED_TWINS = '.compiled-twins';
/**
 * The plain-JavaScript scripts (build, start, install checks) act on the checkout itself: in the mirror
 * each is a link, and node runs a linked main module from its real path. Copies would see the mirror's
 * fresh files as newer than node_modules and the builds, and reinstall or rebuild into it.
 */
const linked = (file) => /^scripts\/[^/]+\.mjs$/.test(file);

/** Tracked files plus new ones not yet committed (a test written a minute ago runs too), minus deleted. */
function sourceFiles() {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return out
    .toString('utf8')
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(root, f)));
}

/** The compiled tree's own view of a workspace package: the same manifest with .ts entry points as .js. */
function rewriteManifest(text) {
  const manifest = JSON.parse(text);
  const toJs = (value) =>
    typeof value === 'string' ? value.replace(/\.tsx?$/, '.js') : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJs(v)])) : value;
  if (manifest.exports) manifest.exports = toJs(manifest.exports);
  if (manifest.main) manifest.main = toJs(manifest.main);
  return JSON.stringify(manifest, null, 2);
}

const isTestFile = (file) => /\.test\.tsx?$/.test(file);

/** `testFiles`: the test files to bundle (default: every one; `npm test -- NAME` passes its choice). */
export async function buildTests(testFiles) {
  const { build } = await import('esbuild');
  rmSync(MIRROR, { recursive: true, force: true });
  const files = sourceFiles();
  const compiled = [];
  for (const file of files) {
    const target = join(MIRROR, file);
    mkdirSync(dirname(target), { recursive: true });
    if (/^packages\/[^/]+\/package\.json$/.test(file)) writeFileSync(target, rewriteManifest(readFileSync(join(root, file), 'utf8')));
    else if (linked(file)) symlinkSync(join(root, file), target);
    else {
      copyFileSync(join(root, file), target);
      // The same modification time as the original, so "is the build older than its sources" reads alike.
      const { atime, mtime } = statSync(join(root, file));
      utimesSync(target, atime, mtime);
    }
    if (/\.tsx?$/.test(file) && !file.endsWith('.d.ts')) compiled.push(file);
  }
  await build({
    entryPoints: compiled.map((f) => join(root, f)),
    outbase: root,
    outdir: MIRROR,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    // Stack traces of a failing test point at the TypeScript line (node --enable-source-maps).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  // What git does not track: the installed packages (ours redirected into the mirror) and build outputs.
  const modules = join(MIRROR, 'node_modules');
  mkdirSync(join(modules, '@burrow'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === '@burrow' || name === '.cache') continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  }
  for (const name of readdirSync(join(root, 'packages'))) symlinkSync(join(MIRROR, 'packages', name), join(modules, '@burrow', name));
  // Tells the bins (packages/*/bin/*.mjs) they run in this mirror: a `burrow` or `burrow-toy` a test
  // starts runs the compiled twins here instead of compiling the sources again through tsx.
  writeFileSync(join(MIRROR, COMPILED_TWINS), 'Written by scripts/build-tests.mjs: every .ts here has its compiled .js twin.\n');
  // Screenshots and logs that tests write land in the checkout's test-output/, where people look.
  symlinkSync(join(root, 'test-output'), join(MIRROR, 'test-output'));
  // Linked even when not built yet: a browser test builds the web app in the checkout, then reads it here.
  for (const pkg of readdirSync(join(root, 'packages'))) symlinkSync(join(root, 'packages', pkg, 'dist'), join(MIRROR, 'packages', pkg, 'dist'));
  const bundled =
    process.env.BURROW_TEST_UNBUNDLED === '1'
      ? { entries: 0, inputs: 0 }
      : await bundleTests({ root, mirror: MIRROR, testFiles: testFiles ?? compiled.filter(isTestFile), linked });
  return { mirror: MIRROR, files: files.length, compiled: compiled.length, bundled };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const result = await buildTests();
  console.log(
    `${result.mirror}: ${String(result.compiled)} files compiled, ${String(result.files)} copied, ${String(result.bundled.entries)} test files bundled, in ${String(Date.now() - started)} ms`,
  );
}
