#!/usr/bin/env node
// `burrow-toy`: production runs the compiled bundle (dist/burrow-toy.mjs, made by `npm run build`);
// development runs the TypeScript sources through tsx, a devDependency a toy need not install.
// Production means NODE_ENV=production; without tsx the bundle is used too. Plain JavaScript.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/burrow-toy.mjs', import.meta.url);

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

const cli = process.env.NODE_ENV === 'production' ? null : await sources();
if (!cli && !existsSync(compiled)) {
  console.error('burrow-toy: packages/toy/dist/burrow-toy.mjs is missing: run `npm run build` first.');
  process.exit(1);
}
if (!cli) process.setSourceMapsEnabled(true); // stack traces name the TypeScript sources
const { main } = cli ?? (await import(compiled.href));
await main();
