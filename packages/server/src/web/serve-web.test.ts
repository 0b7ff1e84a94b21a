import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Fastify from 'fastify';
import { errorHandler, notFoundHandler } from '../errors/index.js';
import { defaultWebRoot, isSourceMap, serveWeb } from './serve-web.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

test('a source map left in the web folder is a JSON 404, while its script is served', async () => {
  const root = mkdtempSync(join(tmpdir(), 'burrow-web-'));
  const app = Fastify();
  try {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Burrow</title>');
    writeFileSync(join(root, 'toy.html'), '<!doctype html><title>Toy</title>');
    writeFileSync(join(root, 'assets', 'x.js'), 'console.log(1);\n//# sourceMappingURL=x.js.map');
    writeFileSync(join(root, 'assets', 'x.js.map'), '{"version":3,"sources":["secret.ts"]}');
    writeFileSync(join(root, 'assets', 'y.css.MAP'), '{}');
    app.setErrorHandler(errorHandler);
    app.setNotFoundHandler(notFoundHandler);
    await app.register(serveWeb, { root });

    assert.equal((await app.inject({ method: 'GET', url: '/assets/x.js' })).statusCode, 200);
    for (const url of ['/assets/x.js.map', '/assets/y.css.MAP', '/assets/x.js.map?v=1', '/assets/%78.js.map']) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await app.inject({ method, url });
        assert.equal(res.statusCode, 404, `${method} ${url}`);
        if (method === 'GET') assert.equal(res.json<{ error: { code: string } }>().error.code, 'not_found');
        assert.doesNotMatch(res.body, /secret\.ts/);
      }
    }
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('isSourceMap names .map files whatever their case, and nothing else', () => {
  assert.equal(isSourceMap('/assets/app-1234.js.map'), true);
  assert.equal(isSourceMap('/assets/app.CSS.MAP'), true);
  assert.equal(isSourceMap('/assets/app-1234.js'), false);
  assert.equal(isSourceMap('/map'), false);
});

test('the production build of the web app emits no source map and no sourceMappingURL', () => {
  // The same build `npm start` and the browser tests use: rebuilt only when stale.
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build-if-needed.mjs')], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, `build failed: ${build.stderr}${build.stdout}`);
  const files = filesUnder(defaultWebRoot);
  assert.ok(files.some((f) => f.endsWith('.js')), 'the build holds scripts');
  const maps = files.filter((f) => isSourceMap(f)).map((f) => relative(defaultWebRoot, f));
  assert.deepEqual(maps, []);
  for (const file of files.filter((f) => /\.(js|css)$/.test(f)))
    assert.doesNotMatch(readFileSync(file, 'utf8'), /sourceMappingURL=/, relative(defaultWebRoot, file));
});
