/**
 * scripts/bundle-tests.mjs on a made-up tree: a bundled test file's modules still see their own
 * addresses, and a CommonJS package imported at run time keeps its named exports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
// @ts-expect-error -- plain JavaScript without declarations (it runs before anything is compiled)
import { bundleTests as untyped } from './bundle-tests.mjs';

const bundleTests = untyped as (options: { root: string; mirror: string; testFiles: string[]; linked: (file: string) => boolean }) => Promise<{ entries: number; inputs: number }>;

const root = mkdtempSync(join(tmpdir(), 'bundle-tests-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
}

test('a bundled test file: import.meta.url and __dirname name each module’s own file, and a CommonJS package imported at run time keeps its named exports', async () => {
  // A CommonJS package that finds a file beside itself, and one loaded only through import().
  write('node_modules/beside/package.json', JSON.stringify({ name: 'beside', main: 'index.js' }));
  write('node_modules/beside/index.js', "exports.dir = __dirname; exports.file = __filename;\n");
  write('node_modules/named/package.json', JSON.stringify({ name: 'named', main: 'index.js' }));
  write('node_modules/named/index.js', "Object.defineProperty(exports, '__esModule', { value: true }); exports.greet = () => 'hello';\n");
  write('src/where.ts', 'export const where: string = import.meta.url;\n');
  write('src/lazy.ts', "export async function greet(): Promise<string> { const m = await import('named'); return m.greet(); }\n");
  write(
    'src/a.test.ts',
    [
      "import { where } from './where.js';",
      "import { greet } from './lazy.js';",
      "import beside from 'beside';",
      'console.log(JSON.stringify({ where, self: import.meta.url, dir: beside.dir, file: beside.file, greeting: await greet() }));',
    ].join('\n'),
  );
  const mirror = join(root, 'mirror');
  mkdirSync(mirror);
  // As in the real mirror: packages resolve through a link to the checkout's node_modules.
  symlinkSync(join(root, 'node_modules'), join(mirror, 'node_modules'));

  const result = await bundleTests({ root, mirror, testFiles: ['src/a.test.ts'], linked: () => false });
  assert.equal(result.entries, 1);

  const run = spawnSync(process.execPath, [join(mirror, 'src', 'a.test.js')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const seen = JSON.parse(run.stdout) as Record<string, string>;
  assert.equal(seen.where, pathToFileURL(join(mirror, 'src', 'where.js')).href, 'an inlined module keeps its twin’s address, not the chunk’s');
  assert.equal(seen.self, pathToFileURL(join(mirror, 'src', 'a.test.js')).href);
  assert.equal(seen.dir, join(root, 'node_modules', 'beside'));
  assert.equal(seen.file, join(root, 'node_modules', 'beside', 'index.js'));
  assert.equal(seen.greeting, 'hello', 'import() of a CommonJS package is left to Node, which gives its named exports');
});
