import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

interface Operation {
  operationId?: string;
}
interface Spec {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** The operations table of docs/api.md: `| operationId | METHOD /path ... |`. */
function documentedOperations(): Map<string, string> {
  const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
  const ops = new Map<string, string>();
  for (const [, id, method, path] of doc.matchAll(
    /^\|\s*(\w+)\s*\|\s*(GET|POST|PUT|DELETE|PATCH) (\/[^\s|]+)/gm,
  )) {
    if (id && method && path)
      ops.set(id, `${method.toLowerCase()} ${path.replace(/:(\w+)/g, '{$1}').replace(/\?.*$/, '')}`);
  }
  return ops;
}

async function spec(): Promise<Spec> {
  const res = await call<Spec>('GET', '/v1/openapi.json');
  assert.equal(res.status, 200);
  return res.json;
}

function served(doc: Spec): Map<string, string> {
  const ops = new Map<string, string>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      assert.ok(op.operationId, `${method} ${path} has an operationId`);
      ops.set(op.operationId, `${method} ${path}`);
    }
  }
  return ops;
}

test('the API description is OpenAPI 3.1 titled Burrow', async () => {
  const doc = await spec();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual({ title: doc.info.title, version: doc.info.version }, { title: 'Burrow', version: '1' });
});

test('every operation in docs/api.md is served with the same operationId, method and path — and nothing else', async () => {
  const documented = documentedOperations();
  assert.ok(documented.size >= 23, `parsed ${documented.size} operations from docs/api.md`);
  assert.deepEqual(
    Object.fromEntries([...served(await spec())].sort()),
    Object.fromEntries([...documented].sort()),
  );
});

/** Full "METHOD /path" lines from Fastify's route tree (`printRoutes`), whose children extend the parent's path. */
function appRoutes(): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(', '))
      if (method !== 'HEAD') out.push(`${method.toLowerCase()} ${path}`);
  }
  return out;
}

test('every /v1 route of the app is in docs/api.md, except the description itself', () => {
  const routes = appRoutes().filter((r) => r.split(' ')[1]?.startsWith('/v1/'));
  assert.ok(routes.length >= 23, `found ${routes.length} routes`);
  const documented = new Set([...documentedOperations().values()].map((v) => v.replace(/\{(\w+)\}/g, ':$1')));
  const extra = routes.filter((r) => !documented.has(r));
  assert.deepEqual(extra.sort(), ['get /v1/openapi.json']);
});
