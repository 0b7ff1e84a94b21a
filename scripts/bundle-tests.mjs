// Bundles the test files of the compiled mirror (scripts/build-tests.mjs), so a test process loads a
// handful of large modules instead of ~1,300 small ones.
//
// Why: a test process compiled file by file still spent ~0.75 CPU-s importing the server, most of it
// Node 20's module loader resolving and linking ~930 ES modules (Kysely 263, TypeBox 200, ours 278)
// and ~400 CommonJS ones, once in each of ~270 processes a run. Bundled, the same import takes
// ~0.25 CPU-s; ten typical test files went from 33.8 to 28.1 CPU-s (2 December 2026).
//
// How: one esbuild build with every test file as an entry point and code splitting, so what the files
// share (the server, the protocol, node_modules) is written once, as chunks under test-output/js/chunks/,
// and each test file's bundle replaces its file-by-file compiled twin at the same path. Everything
// else in the mirror stays compiled file by file: what a test starts in another process or thread
// (the CLI, a second node, a worker) runs from there, as before.
//
// Three things a bundle would otherwise change, kept as they were:
//   - `import.meta.url` (and a CommonJS file's `__dirname`/`__filename`) keep naming the module's own
//     file, not the chunk it landed in: code finds files beside itself (migrations' neighbours, a
//     worker, fixtures, the web build), so each is replaced by the address the unbundled module has.
//   - A bare `import('package')` stays a run-time import: esbuild can only give a CommonJS package
//     loaded that way a default export (`@fastify/cookie`'s `await import('cookie')` lost its named ones).
//   - Native addons and tools that start processes of their own stay in node_modules (EXTERNAL).
//
// And one thing it changes on purpose: `node:test` becomes scripts/test-group/node-test.mjs (node:test
// itself, plus what lets several test files share one process: scripts/test-group/groups.mjs).
//
// Plain JavaScript: it runs before anything is compiled.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { shimPath } from './test-group/groups.mjs';

/** Loaded from node_modules at run time: native addons, and tools that run their own files or processes. */
const EXTERNAL = [
  'libsql',
  '@libsql/*',
  '@node-rs/*',
  'playwright-core',
  'esbuild',
  'vite',
  'typescript',
  'pg-native',
  'fsevents',
  'bufferutil',
  'utf-8-validate',
];

/**
 * What `import.meta.url` becomes in every bundled module (esbuild's `define`, which replaces the
 * expression and never the same words inside a string): a variable each module that uses it declares
 * with its own address (esbuild keeps each module's declaration apart when it joins them).
 */
const OWN_URL = '__burrowOwnUrl';

/**
 * `prefix` put before `text` without adding a line: after a leading "use strict" (which must stay the
 * first statement to keep its meaning), and with a leading #! line turned into a comment.
 */
function withPrefix(text, prefix) {
  const strict = /^(['"])use strict\1;?/.exec(text);
  if (strict) return `${strict[0].replace(/;?$/, ';')}${prefix}${text.slice(strict[0].length)}`;
  return prefix + (text.startsWith('#!') ? `//${text.slice(2)}` : text);
}

/**
 * esbuild plugin: each module keeps its own address (see above). `place(file)` is the address the
 * module has when it is not bundled: its twin in the mirror for our files, itself in node_modules.
 */
function ownAddress(place) {
  return {
    name: 'own-address',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.kind === 'dynamic-import' && !args.path.startsWith('@burrow/') ? { path: args.path, external: true } : undefined,
      );
      build.onLoad({ filter: /\.(?:[cm]?js|tsx?)$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const file = place(args.path);
        // Prepended on the first line, so the source map's lines stay right.
        let prefix = '';
        if (text.includes('import.meta.url')) prefix += `var ${OWN_URL} = ${JSON.stringify(pathToFileURL(file).href)};`;
        // A CommonJS module's own names for its file; harmless in an ES module that happens to use them.
        if (args.path.includes('/node_modules/') && /\b__(?:dirname|filename)\b/.test(text))
          prefix += `var __filename = ${JSON.stringify(file)}, __dirname = ${JSON.stringify(dirname(file))};`;
        if (prefix === '') return undefined;
        const loader = args.path.endsWith('.tsx') ? 'tsx' : args.path.endsWith('.ts') ? 'ts' : 'js';
        return { contents: withPrefix(text, prefix), loader, resolveDir: dirname(args.path) };
      });
    },
  };
}

/** esbuild plugin: `node:test` is the mirror's shim (one module every test file of a process shares). */
function sharedNodeTest(mirror) {
  const path = pathToFileURL(shimPath(mirror)).href;
  return {
    name: 'shared-node-test',
    setup(build) {
      build.onResolve({ filter: /^node:test$/ }, () => ({ path, external: true }));
    },
  };
}

/**
 * Bundles `testFiles` (paths relative to `root`) into `mirror`, over their file-by-file compiled twins.
 * `linked(file)`: files the mirror links to the checkout instead of copying (their address is the checkout's).
 */
export async function bundleTests({ root, mirror, testFiles, linked }) {
  if (testFiles.length === 0) return { entries: 0, inputs: 0 };
  const { build } = await import('esbuild');
  const place = (path) => {
    if (path.includes('/node_modules/')) return path;
    const file = relative(root, path);
    return linked(file) ? path : join(mirror, file.replace(/\.tsx?$/, '.js'));
  };
  const result = await build({
    entryPoints: testFiles.map((f) => join(root, f)),
    outbase: root,
    outdir: mirror,
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    external: EXTERNAL,
    define: { 'import.meta.url': OWN_URL },
    // Bundled CommonJS calls `require` for Node's own modules and the external packages.
    banner: { js: "import { createRequire as __burrowCreateRequire } from 'node:module'; const require = __burrowCreateRequire(import.meta.url);" },
    // Stack traces of a failing test point at the TypeScript line (node --enable-source-maps).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    metafile: true,
    plugins: [sharedNodeTest(mirror), ownAddress(place)],
  });
  return { entries: testFiles.length, inputs: Object.keys(result.metafile.inputs).length };
}
