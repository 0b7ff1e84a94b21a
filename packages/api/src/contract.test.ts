/**
 * The server's API description is built from this package's schemas and nothing else: every schema
 * node of every operation in the server's `/v1/openapi.json` (bodies, responses, params, queries) is
 * an object exported from @burrow/api. A route that types its own copy — even an exact one — fails,
 * and so does a client or web module that declares its own copy of a wire type.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@burrow/server/testing';
import { Kind } from '@sinclair/typebox';
import * as api from './index.js';

const TAG = '@burrow/api';
const packages = fileURLToPath(new URL('../../', import.meta.url));

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The sub-schemas of a JSON Schema node (not `required`, `enum` or other keyword values). */
function children(node: Json): unknown[] {
  const out: unknown[] = [];
  if (isObject(node.properties)) out.push(...Object.values(node.properties));
  if (isObject(node.patternProperties)) out.push(...Object.values(node.patternProperties));
  if (isObject(node.additionalProperties)) out.push(node.additionalProperties);
  if (isObject(node.items)) out.push(node.items);
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) if (Array.isArray(node[k])) out.push(...(node[k] as unknown[]));
  return out;
}

/** Marks every schema object reachable from the package's exports (the server holds the same objects). */
function tag(node: unknown): void {
  if (!isObject(node)) return;
  node.$comment = TAG;
  for (const child of children(node)) tag(child);
}

/** Every schema node of a schema tree that is not one of the package's objects; `$ref`s point at components. */
function untaggedNodes(node: unknown, where: string, out: string[]): number {
  if (!isObject(node)) return 0;
  if (typeof node.$ref === 'string') return 0;
  let seen = 1;
  if (node.$comment !== TAG) out.push(where);
  for (const [i, child] of children(node).entries()) seen += untaggedNodes(child, `${where}/${String(i)}`, out);
  return seen;
}

interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

/** Where an operation's schemas are not the package's: `operationId body|status|in:name/path-into-schema`. */
function foreignSchemas(doc: OpenApi): { foreign: string[]; checked: number } {
  const foreign: string[] = [];
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const id = op.operationId ?? `${method} ${path}`;
      for (const media of Object.values(op.requestBody?.content ?? {})) checked += untaggedNodes(media.schema, `${id} body`, foreign);
      for (const [status, response] of Object.entries(op.responses ?? {}))
        for (const media of Object.values(response.content ?? {})) checked += untaggedNodes(media.schema, `${id} ${status}`, foreign);
      for (const p of op.parameters ?? []) checked += untaggedNodes(p.schema, `${id} ${p.in}:${p.name}`, foreign);
    }
  }
  return { foreign, checked };
}

let server: TestServer;
let doc: OpenApi;
before(async () => {
  server = await startTestServer();
  // The server compiled its validators at start; @fastify/swagger reads the route schemas when the
  // document is first asked for, so the marks below show wherever a route uses the package's objects.
  for (const value of Object.values(api)) if (isObject(value) && Kind in value) tag(value);
  const res = await fetch(`${server.url}/v1/openapi.json`);
  assert.equal(res.status, 200);
  doc = (await res.json()) as OpenApi;
});
after(async () => {
  await server.close();
});

test('every body, response, params and query schema the server describes is an object of @burrow/api', () => {
  const { foreign, checked } = foreignSchemas(doc);
  assert.ok(checked > 300, `checked ${String(checked)} schema nodes`);
  assert.deepEqual(foreign, [], 'schemas typed outside @burrow/api (import them from the package instead)');
});

test('the Error component the routes refer to is the package’s ErrorSchema', () => {
  const component = doc.components?.schemas?.Error;
  assert.ok(component, 'components.schemas.Error');
  // The server registers ErrorSchema once (app.addSchema); @fastify/swagger renders its literals as enums.
  const error = (component.properties as { error: { properties: { code: { anyOf: { enum?: string[]; const?: string }[] }; message: Json } } }).error;
  assert.deepEqual(error.properties.code.anyOf.map((c) => c.const ?? c.enum?.[0]), [...api.ERROR_CODES]);
  assert.deepEqual(error.properties.message, { type: 'string' });
});

test('a retyped copy of a package schema, even an exact one, is reported', () => {
  const copy = JSON.parse(JSON.stringify(api.FamilyParams)) as Json;
  delete copy.$comment;
  const own = { paths: { '/v1/x': { get: { operationId: 'x', requestBody: { content: { 'application/json': { schema: api.SendMessageBody } } }, responses: { 200: { content: { 'application/json': { schema: copy } } } } } } } };
  assert.deepEqual(foreignSchemas(own as OpenApi).foreign, ['x 200']);
});

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield path;
  }
}

test('the server builds no TypeBox schema of its own', () => {
  const offenders = [...sources(join(packages, 'server/src'))].filter((f) => /from '@sinclair\/typebox'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => f.slice(packages.length)), []);
});

test('the client and the web app declare no wire type of their own under a name the package exports', () => {
  const names = new Set(Object.keys(api));
  const declared: string[] = [];
  for (const dir of ['client/src', 'web/src'])
    for (const file of sources(join(packages, dir)))
      // `interface X {…}` or `type X = {…}`: a shape written out, not an alias of the package's type.
      for (const [, iface, literal] of readFileSync(file, 'utf8').matchAll(/^\s*(?:export\s+)?(?:interface\s+(\w+)|type\s+(\w+)\s*(?:<[^>]*>)?\s*=\s*\{)/gm)) {
        const name = iface ?? literal;
        if (name && names.has(name)) declared.push(`${file.slice(packages.length)}: ${name}`);
      }
  assert.deepEqual(declared, []);
});

test('the package is isomorphic: it imports TypeBox, @burrow/protocol and itself only', () => {
  const imports = [...sources(join(packages, 'api/src'))].flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => `${f.slice(packages.length)}: ${m[1] ?? ''}`),
  );
  assert.ok(imports.length > 10);
  assert.deepEqual(imports.filter((i) => !/: (\.\/|@sinclair\/typebox$|@burrow\/protocol$)/.test(i)), []);
});
