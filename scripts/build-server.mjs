// Compiles the two Node programs to plain JavaScript for production, so production needs no tsx:
//   packages/server/src/cli.ts → packages/server/dist/burrow.mjs   (bin/burrow.mjs runs it)
//   packages/toy/src/cli.ts    → packages/toy/dist/burrow-toy.mjs  (bin/burrow-toy.mjs runs it)
// One esbuild bundle per CLI (esbuild is already installed through tsx and vite). Our workspace
// packages (@burrow/*, TypeScript sources) are bundled in; every other package stays an import
// resolved from node_modules at run time, exactly as in development.
//
//   node scripts/build-server.mjs               build both
//   node scripts/build-server.mjs --if-needed   only when a source is newer than the bundles
//   node scripts/build-server.mjs --outdir DIR  server bundle only, into DIR (tests)
//
// Plain JavaScript on purpose: it runs before tsx, and in installs without it.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What is built: entry, bundle, and the source folders whose change makes it stale. */
export const TARGETS = [
  { entry: 'packages/server/src/cli.ts', outfile: 'packages/server/dist/burrow.mjs' },
  { entry: 'packages/toy/src/cli.ts', outfile: 'packages/toy/dist/burrow-toy.mjs' },
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) if (name !== 'node_modules') latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

/** True when a bundle is missing or older than any package's sources or manifest. */
export function stale() {
  const packages = readdirSync(join(root, 'packages')).filter((p) => p !== 'web');
  const sources = Math.max(
    ...packages.flatMap((p) => [newest(join(root, 'packages', p, 'src')), newest(join(root, 'packages', p, 'package.json'))]),
    newest(join(root, 'package-lock.json')),
    newest(fileURLToPath(import.meta.url)),
  );
  return TARGETS.some((t) => newest(join(root, t.outfile)) < sources);
}

/**
 * esbuild plugin: bare imports stay imports (resolved from node_modules at run time), except our own
 * workspace packages, whose TypeScript sources are compiled into the bundle.
 */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@burrow/') || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * esbuild plugin: `import.meta.url` keeps meaning the source file's address, so code that finds files
 * beside itself (the web app's dist, the toy's bundled WAV, createRequire) works the same from the
 * bundle as from src/. It becomes the source's path relative to the bundle, resolved at run time, so
 * the checkout can move.
 */
function sourceImportMetaUrl(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(outdir, args.path).split('\\').join('/');
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
          loader: 'ts',
        };
      });
    },
  };
}

/** Builds one bundle; returns its absolute path. */
export async function buildOne(entry, outfile) {
  const { build } = await import(pathToFileURL(join(root, 'node_modules/esbuild/lib/main.js')).href);
  const out = resolve(root, outfile);
  await build({
    entryPoints: [resolve(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [externalPackages, sourceImportMetaUrl(dirname(out))],
  });
  return out;
}

// realpath: the tests' compiled tree (scripts/build-tests.mjs) runs this file through a link to it.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'if-needed': { type: 'boolean' }, outdir: { type: 'string' } } });
  if (values.outdir) {
    console.log(await buildOne(TARGETS[0].entry, join(resolve(values.outdir), 'burrow.mjs')));
  } else if (!values['if-needed'] || stale()) {
    const started = Date.now();
    for (const t of TARGETS) await buildOne(t.entry, t.outfile);
    console.log(`Compiled ${TARGETS.map((t) => t.outfile).join(' and ')} (${String(Date.now() - started)} ms).`);
  }
}
