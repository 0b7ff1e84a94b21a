#!/usr/bin/env node
// `burrow`: production runs the compiled bundle (dist/burrow.mjs, made by `npm run build`);
// development runs the TypeScript sources through tsx, a devDependency production need not install.
// Production means NODE_ENV=production or `burrow serve --production`; without tsx the bundle is
// used too. Plain JavaScript: this file must run with neither tsx nor a build.
import { existsSync } from 'node:fs';

const argv = process.argv.slice(2);
const compiled = new URL('../dist/burrow.mjs', import.meta.url);
const production = process.env.NODE_ENV === 'production' || (argv[0] === 'serve' && argv.includes('--production'));

async function sources() {
  // In npm test's compiled mirror (scripts/build-tests.mjs) every source has a compiled twin beside it:
  // run those, as the test processes themselves do, instead of compiling ~400 modules again.
  if (existsSync(new URL('../../../.compiled-twins', import.meta.url))) return import('../src/cli.js');
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    return null; // no tsx (a production install): use the bundle.
  }
  return import('../src/cli.ts');
}

const cli = production ? null : await sources();
if (!cli && !existsSync(compiled)) {
  console.error('burrow: packages/server/dist/burrow.mjs is missing: run `npm run build` first (docs/operations.md).');
  process.exit(1);
}
if (!cli) {
  // Stack traces in the log name the TypeScript sources (the bundle carries a source map).
  process.setSourceMapsEnabled(true);
  // A bundle older than the sources runs old code: say so (npm start rebuilds it by itself).
  const build = await import('../../../scripts/build-server.mjs').catch(() => null);
  if (build?.stale()) console.error('burrow: warning: packages/server/dist is older than the sources; run `npm run build`.');
}
const { main } = cli ?? (await import(compiled.href));
process.exitCode = await main(argv);
