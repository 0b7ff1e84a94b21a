import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorHandler, notFoundHandler } from '../errors/index.js';
import { findUnsafeNumber, buildValidator } from './validator.js';

// A bare Fastify with the app's validator and error handler, and routes shaped like Burrow's.
let app: FastifyInstance;
before(async () => {
  app = Fastify({ schemaController: { compilersFactory: { buildValidator } } });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  const Page = Type.Object({
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  });
  app.get('/page', { schema: { querystring: Page } }, (request) => request.query);
  app.get('/items/:n', { schema: { params: Type.Object({ n: Type.Integer() }) } }, (request) => request.params);
  const Login = Type.Object({ email: Type.String(), password: Type.String(), remember: Type.Optional(Type.Boolean()) });
  app.post('/login', { schema: { body: Login } }, (request) => request.body);
  app.post('/any', { schema: { body: Type.Object({}, { additionalProperties: true }) } }, () => ({ ok: true }));
  await app.ready();
});
after(async () => {
  await app.close();
});

async function expect400(method: 'GET' | 'POST', url: string, payload?: string): Promise<string> {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
  assert.equal(res.statusCode, 400, `${method} ${url} ${payload ?? ''}: ${res.body}`);
  const body = res.json<{ error: { code: string; message: string; reason: string } }>();
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'reason']);
  assert.equal(body.error.code, 'bad_request');
  assert.equal(body.error.reason, 'invalid_request');
  return body.error.message;
}

test('a query string is still coerced: ?after=7&limit=20 reaches the handler as numbers', async () => {
  const res = await app.inject({ method: 'GET', url: '/page?after=7&limit=20' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { after: 7, limit: 20 });
  assert.deepEqual((await app.inject({ method: 'GET', url: '/items/12' })).json(), { n: 12 });
});

test('a non-finite cursor or limit in the query string is a 400, not a 500', async () => {
  for (const q of ['after=1e309', 'after=Infinity', 'after=-Infinity', 'limit=1e309', 'limit=-1e309', 'limit=Infinity', 'after=1e309&limit=5']) {
    const message = await expect400('GET', `/page?${q}`);
    assert.match(message, /querystring\/(after|limit)/, q);
  }
  await expect400('GET', '/items/1e309');
  await expect400('GET', '/items/Infinity');
});

test('a number beyond ±(2^53 − 1) is a 400 anywhere in a request', async () => {
  assert.match(await expect400('GET', '/page?after=1e20'), /querystring\/after must be a finite number/);
  await expect400('GET', '/page?after=9007199254740993');
  await expect400('GET', '/items/-1e300');
  assert.match(await expect400('POST', '/any', '{"deep":[{"n":1e400}]}'), /body\/deep\/0\/n/);
  await expect400('POST', '/any', '{"n":-1e20}');
  const ok = await app.inject({ method: 'GET', url: `/page?after=${String(Number.MAX_SAFE_INTEGER)}` });
  assert.equal(ok.statusCode, 200);
});

test('a JSON body is not coerced: wrong types are a 400', async () => {
  await expect400('POST', '/login', '{"email":12345,"password":true}');
  await expect400('POST', '/login', '{"email":"a@example.com","password":null}');
  await expect400('POST', '/login', '{"email":["a@example.com"],"password":"x"}');
  await expect400('POST', '/login', '{"email":"a@example.com","password":"x","remember":"true"}');
  const ok = await app.inject({ method: 'POST', url: '/login', payload: { email: 'a@example.com', password: 'x', remember: true } });
  assert.equal(ok.statusCode, 200);
});

test('findUnsafeNumber points at the bad number, skips bytes, and survives deep nesting', () => {
  assert.equal(findUnsafeNumber({ a: [1, 2, { 'b/c': Infinity }] }), '/a/2/b~1c');
  assert.equal(findUnsafeNumber({ a: 'Infinity', b: Number.MAX_SAFE_INTEGER, c: -1.5 }), null);
  assert.equal(findUnsafeNumber(NaN), '');
  assert.equal(findUnsafeNumber(Buffer.alloc(4)), null);
  let deep: unknown = Infinity;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(findUnsafeNumber(deep), '/0'.repeat(100_000));
});

test('one copy of Ajv serves the validator, its formats and the reply serializer (docs/operations.md)', () => {
  // Three nested copies cost every process ~130 more modules to load; npm's placement decides it.
  const require = createRequire(import.meta.url);
  const ajvOf = (pkg: string): string =>
    realpathSync(createRequire(require.resolve(`${pkg}/package.json`)).resolve('ajv/package.json'));
  const copies = new Set(['@fastify/ajv-compiler', 'ajv-formats', 'fast-json-stringify'].map(ajvOf));
  assert.equal(copies.size, 1, [...copies].join(', '));
});
