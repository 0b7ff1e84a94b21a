/**
 * Property-based attack test: every route of the API, found in the app itself, is called with
 * generated bad input — non-finite, huge and negative numbers, wrong types, long and odd strings,
 * malformed JSON, wrong content types — in its path, query and body, as a signed-in guardian, as a
 * toy and anonymously. The promise (docs/api.md, "Errors"): a clear 4xx `{"error":{"code","message","reason"}}`,
 * never a 5xx, and a bad request changes nothing.
 *
 * Deterministic by default (fixed seed, a modest number of runs per route). To explore further:
 * `BURROW_FUZZ_SEED=<n> BURROW_FUZZ_RUNS=<n> npx tsx --test packages/server/src/http/fuzz.test.ts`.
 * A failure prints the seed and the counterexample to replay it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { isRefusalReason } from '@burrow/api';
import { errorStatus, type ErrorCode } from '../errors/codes.js';
import { expectStatus, family, pairToy, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { listRouterRoutes } from './route-list.js';

const SEED = Number(process.env.BURROW_FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.BURROW_FUZZ_RUNS ?? 10);

/** Routes served under /v1 that are not in the OpenAPI document, and why. */
const NOT_DESCRIBED: Record<string, string> = {
  'GET /v1/openapi.json': 'the document itself',
};

/**
 * Tables a refused request may write to: the access log and security events record refusals on
 * purpose (P5). The family activity log records only successes (audit/activity.test.ts), but after
 * the answer, in batches: the setup's last events may land during a case. Every other table must
 * hold as many rows after a bad request as before.
 */
const LOGS = new Set(['audit_events', 'security_events', 'family_activity', 'family_activity_heads']);

// ---------------------------------------------------------------------------------------------
// The routes, from the app's OpenAPI document.

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  /** Fastify form: /v1/families/:familyId */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  /** The JSON body schema, if the route takes JSON. */
  body: Schema | null;
  mutating: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, {
    parameters?: Array<{ in: string; name: string; schema?: Schema }>;
    requestBody?: { content?: Record<string, { schema?: Schema }> };
  }>>;
  components?: { schemas?: Record<string, Schema> };
}

function operationsOf(doc: OpenApiDoc): Operation[] {
  const deref = (s: Schema | undefined): Schema | null => {
    if (s === undefined) return null;
    const ref = s.$ref;
    if (typeof ref === 'string') return doc.components?.schemas?.[ref.replace('#/components/schemas/', '')] ?? null;
    return s;
  };
  const ops: Operation[] = [];
  for (const [openApiPath, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path: openApiPath.replace(/\{(\w+)\}/g, ':$1'),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: deref(p.schema) ?? {} })),
        body: deref(op.requestBody?.content?.['application/json']?.schema),
        mutating: !['get', 'head', 'options'].includes(method),
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Generated values.

/** A JSON number written as-is (`1e309`, which JSON.stringify cannot produce). */
class RawNumber {
  constructor(readonly text: string) {}
}
type Json = null | boolean | number | string | RawNumber | Json[] | { [key: string]: Json };

function toJsonText(value: Json): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  return JSON.stringify(value);
}

const EDGE_NUMBER_TEXTS = ['1e309', '-1e309', '1e20', '-1e20', '9007199254740993', '-1', '0', '-0', '1.5', '1e-400', '123456789012345678901234567890'];

const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '0', '-1', '1e309', 'Infinity', '-Infinity', 'NaN', 'null', 'true', 'undefined', '[]', '{}',
    '__proto__', 'constructor', '../../../etc/passwd', '%00', '\u0000', '\ud800', '\u202e', "' OR 1=1 --",
    '<script>alert(1)</script>', '😀'.repeat(64), 'A'.repeat(20_000), '9007199254740993', '0x10', ' 5 ',
  ),
  fc.string({ maxLength: 48 }),
  fc.string({ unit: 'binary', maxLength: 48 }),
  // Shaped like an id, but of nothing.
  fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
);

const oddNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBER_TEXTS).map((t) => new RawNumber(t)),
  fc.integer(),
  fc.double({ noNaN: true }).map((n) => (Number.isFinite(n) ? n : new RawNumber(n > 0 ? '1e309' : '-1e309'))),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31)),
);

const oddKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'a'.repeat(300)), fc.string({ maxLength: 12 }));

const oddScalar: fc.Arbitrary<Json> = fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null));

const oddJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddScalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;

type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
const byKind: Record<JsonKind, fc.Arbitrary<Json>> = {
  string: oddString,
  number: oddNumber,
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(oddScalar, { maxLength: 3 }),
  object: fc.dictionary(oddKey, oddScalar, { maxKeys: 3 }),
};

/** The JSON kinds a schema accepts, or null when it does not say (then no value is surely wrong). */
function kindsOf(schema: Schema): Set<JsonKind> | null {
  const parts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (parts) {
    const all = new Set<JsonKind>();
    for (const part of parts) {
      const kinds = kindsOf(part);
      if (kinds === null) return null;
      for (const k of kinds) all.add(k);
    }
    return all;
  }
  if (schema.const !== undefined || schema.enum !== undefined) return null;
  const types = schema.type === undefined ? [] : ([] as unknown[]).concat(schema.type);
  if (types.length === 0) return null;
  return new Set(types.map((t) => (t === 'integer' ? 'number' : t) as JsonKind));
}

/** A value of a JSON kind the schema refuses, or null when no kind is surely refused. */
function wrongValueFor(schema: Schema): fc.Arbitrary<Json> | null {
  const kinds = kindsOf(schema);
  if (kinds === null) return null;
  const wrong = (Object.keys(byKind) as JsonKind[]).filter((k) => !kinds.has(k)).map((k) => byKind[k]);
  // An integer refuses 1.5 and 1e309 although both are numbers.
  if (schema.type === 'integer') wrong.push(fc.constantFrom(new RawNumber('1.5'), new RawNumber('1e309'), new RawNumber('-1e309')));
  return wrong.length === 0 ? null : fc.oneof(...wrong);
}

interface BodyPlan {
  contentType: string | null;
  text: string | null;
  /** True when the body alone must make the request fail before anything is changed. */
  invalid: boolean;
}

const malformed = fc.constantFrom('{', '{"a":', 'nul', '{"a":1}}', "{'a':1}", '\u0000', '[1,]', '['.repeat(5_000), '{"a":1,"a":');

/** Bodies for a route: schema-shaped objects with wrong and odd values, wrong top-level types, junk. */
function bodyPlans(body: Schema | null): fc.Arbitrary<BodyPlan> {
  const junk: Array<fc.Arbitrary<BodyPlan>> = [
    malformed.map((text) => ({ contentType: 'application/json', text, invalid: true })),
    // Not empty: Fastify parses no empty body, so an empty one is no bad input. Fastify parses
    // text/plain too: a route without a body schema ignores such a body, so it is bad input only
    // where the route expects JSON.
    fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'), oddString.filter((s) => s.length > 0))
      .map(([contentType, text]) => ({ contentType, text, invalid: body !== null || contentType !== 'text/plain' })),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ contentType: 'application/octet-stream', text: Buffer.from(bytes).toString('latin1'), invalid: false })),
    fc.constant({ contentType: null, text: null, invalid: false }),
    oddJson.map((v) => ({ contentType: 'application/json', text: toJsonText(v), invalid: false })),
  ];
  if (body === null) return fc.oneof(...junk);
  const properties = (body.properties ?? {}) as Record<string, Schema>;
  const required = new Set((body.required ?? []) as string[]);
  const names = Object.keys(properties);
  // Per property: left out, a value of the wrong kind, or an odd value of any kind.
  const fields = names.map((name) => {
    const wrong = wrongValueFor(properties[name] ?? {});
    return fc.record({
      choice: fc.constantFrom('omit', 'wrong', 'odd'),
      wrong: wrong ?? fc.constant(null),
      odd: oddJson,
      canBeWrong: fc.constant(wrong !== null),
    });
  });
  const shaped = fc.tuple(fc.tuple(...fields), fc.dictionary(oddKey, oddJson, { maxKeys: 2 })).map(([chosen, extra]) => {
    const value: Record<string, Json> = {};
    let invalid = false;
    chosen.forEach((f, i) => {
      const name = names[i] as string;
      if (f.choice === 'omit') invalid ||= required.has(name);
      else if (f.choice === 'wrong' && f.canBeWrong) {
        value[name] = f.wrong;
        invalid = true;
      } else value[name] = f.odd;
    });
    // Make sure the body is refused by its schema: one typed field of the wrong kind.
    const fix = chosen.findIndex((f) => f.canBeWrong);
    if (!invalid && fix >= 0) {
      value[names[fix] as string] = (chosen[fix] as { wrong: Json }).wrong;
      invalid = true;
    }
    for (const [k, v] of Object.entries(extra)) if (!(k in value)) value[k] = v;
    return { contentType: 'application/json', text: toJsonText(value), invalid };
  });
  const wrongTop = (wrongValueFor(body) ?? fc.constant(null)).map((v) => ({ contentType: 'application/json', text: toJsonText(v), invalid: kindsOf(body) !== null }));
  return fc.oneof({ arbitrary: shaped, weight: 4 }, { arbitrary: wrongTop, weight: 1 }, ...junk.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

/** Query values: edge numbers as text, odd strings, repeated keys, unknown keys. */
function queryPlans(query: Operation['query']): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom(...EDGE_NUMBER_TEXTS, 'Infinity', '-Infinity', 'NaN', '1e1000', '0x1A', '1_000', '').map(encodeOdd),
    oddString.map(encodeOdd),
    fc.constantFrom(...RAW_PIECES),
  );
  const params = query.map(({ name }) =>
    fc.oneof(fc.constant([] as string[]), fc.array(value, { minLength: 1, maxLength: 3 })).map((values) => values.map((v) => `${name}=${v}`)),
  );
  const extra = fc.array(fc.tuple(oddKey.map(encodeOdd), value).map(([k, v]) => `${k}=${v}`), { maxLength: 2 });
  return fc.tuple(fc.tuple(...params), extra).map(([known, more]) => [...known.flat(), ...more].join('&'));
}

/**
 * Percent-encodes a generated string for a URL. A lone surrogate has no UTF-8 form: it is sent as the
 * bytes a careless encoder would write (CESU-8), which are not valid UTF-8 either.
 */
function encodeOdd(value: string): string {
  const cesu8 = (unit: number): string =>
    [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  return value
    .split(/(\p{Cs})/u)
    .map((part) => (/^\p{Cs}$/u.test(part) ? cesu8(part.charCodeAt(0)) : encodeURIComponent(part)))
    .join('');
}

/** Already-encoded path and query pieces no encoder writes: bad escapes, invalid UTF-8, dot segments. */
const RAW_PIECES = ['%', '%zz', '%FF', '%C0%AF', '%ED%A0%80', '%00', '%2F', '..', '.', '%2e%2e', '%u0041'];

/** Path parameters: real ids of the test family (in any slot), id-shaped strangers, junk. */
function pathPlans(names: string[], realIds: string[]): fc.Arbitrary<{ values: string[]; invalid: boolean }> {
  const junk = fc
    .oneof(
      fc.oneof(oddString, fc.constantFrom(...EDGE_NUMBER_TEXTS)).map(encodeOdd),
      fc.constantFrom(...RAW_PIECES),
    )
    .map((v) => ({ v, real: false }));
  const real = fc.constantFrom(...realIds).map((v) => ({ v: encodeURIComponent(v), real: true }));
  return fc.tuple(...names.map(() => fc.oneof(real, junk))).map((vs) => ({ values: vs.map((x) => x.v), invalid: vs.some((x) => !x.real) }));
}

interface Plan {
  path: string;
  query: string;
  body: BodyPlan;
  /** Some part is surely refused (or names nothing that exists), so nothing may change. */
  invalid: boolean;
}

function plansFor(op: Operation, realIds: string[]): fc.Arbitrary<Plan> {
  return fc
    .tuple(pathPlans(op.pathParams, realIds), queryPlans(op.query), bodyPlans(op.body))
    .map(([params, query, body]) => {
      let i = 0;
      const path = op.path.replace(/:\w+/g, () => params.values[i++] ?? '');
      return { path, query, body, invalid: params.invalid || body.invalid };
    })
    // A mutating call must carry something bad: otherwise it is a valid request (log out, unpair, …).
    .filter((plan) => !op.mutating || plan.invalid);
}

// ---------------------------------------------------------------------------------------------
// Edge values of the right type: they pass the schema, so they reach the handlers.

const MAX_DEPTH = 3;

function edgeString(schema: Schema): fc.Arbitrary<Json> {
  const choices: Array<fc.Arbitrary<string>> = [oddString];
  if (typeof schema.pattern === 'string') {
    try {
      choices.push(fc.stringMatching(new RegExp(schema.pattern)));
    } catch {
      // A pattern fast-check cannot generate from: odd strings only.
    }
  }
  for (const bound of [schema.minLength, schema.maxLength])
    if (typeof bound === 'number') choices.push(fc.constantFrom(Math.max(0, bound - 1), bound, bound + 1).map((n) => 'é'.repeat(n)));
  return fc.oneof(...choices);
}

function edgeInteger(schema: Schema): fc.Arbitrary<Json> {
  const points = [0, -1, 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31, 8.64e15 + 1];
  for (const bound of [schema.minimum, schema.maximum]) if (typeof bound === 'number') points.push(bound - 1, bound, bound + 1);
  return fc.oneof(fc.constantFrom(...points), fc.integer());
}

/** Values a schema accepts (mostly), at their edges: bounds, empty and long strings, odd keys. */
function edgeValueFor(schema: Schema, depth = 0): fc.Arbitrary<Json> {
  if (schema.const !== undefined) return fc.constant(schema.const as Json);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as Json[]));
  const parts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (parts) return fc.oneof(...parts.map((part) => edgeValueFor(part, depth)));
  const types = schema.type === undefined ? [] : ([] as unknown[]).concat(schema.type);
  if (types.length === 0) return oddJson;
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<Json> => {
      switch (type) {
        case 'string':
          return edgeString(schema);
        case 'integer':
          return edgeInteger(schema);
        case 'number':
          return fc.oneof(edgeInteger(schema), fc.double({ noNaN: true, noDefaultInfinity: true }));
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array': {
          if (depth >= MAX_DEPTH) return fc.constant([]);
          const items = (schema.items ?? {}) as Schema;
          const max = typeof schema.maxItems === 'number' ? schema.maxItems + 1 : 4;
          return fc.array(edgeValueFor(items, depth + 1), { maxLength: Math.min(max, 8) });
        }
        case 'object':
          return depth >= MAX_DEPTH ? fc.constant({}) : edgeObjectFor(schema, depth + 1);
        default:
          return oddJson;
      }
    }),
  );
}

function edgeObjectFor(schema: Schema, depth: number): fc.Arbitrary<Json> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const record: Record<string, fc.Arbitrary<Json>> = {};
  for (const [name, property] of Object.entries(properties)) record[name] = edgeValueFor(property, depth);
  const extra = schema.additionalProperties === false ? fc.constant({}) : fc.dictionary(oddKey, oddScalar, { maxKeys: 2 });
  return fc.tuple(fc.record(record, { requiredKeys: [...required].filter((k) => k in properties) }), extra).map(
    ([value, more]) => ({ ...more, ...value }),
  );
}

/** Requests whose path names real things and whose query and body pass the schema at its edges. */
function edgePlansFor(op: Operation, ids: string[]): fc.Arbitrary<Plan> {
  const params = fc.tuple(...op.pathParams.map(() => fc.constantFrom(...ids)));
  const query = fc.tuple(...op.query.map(({ name, schema }) => fc.option(edgeValueFor(schema).map((v) => `${name}=${encodeOdd(typeof v === 'string' ? v : toJsonText(v))}`), { nil: '' })));
  const body = op.body === null ? fc.constant(null) : edgeValueFor(op.body);
  return fc.tuple(params, query, body).map(([values, queryParts, value]) => {
    let i = 0;
    const path = op.path.replace(/:\w+/g, () => encodeURIComponent(values[i++] ?? ''));
    return {
      path,
      query: queryParts.filter((q) => q !== '').join('&'),
      body: value === null ? { contentType: null, text: null, invalid: false } : { contentType: 'application/json', text: toJsonText(value), invalid: false },
      invalid: false,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The server, its actors and its tables.

let server: TestServer;
let actors: Array<{ who: string; headers: Record<string, string> }>;
let realIds: string[];
/** A second family whose guardian and toy take the edge values: valid calls may change or end them. */
let victims: Array<{ who: string; headers: Record<string, string> }>;
let victimIds: string[];
let operations: Operation[];
let tables: string[];

/** Sends one voice message from the guardian to the toy, so routes naming a message find one. */
async function sendVoice(call: Call, fam: Family, toy: Toy): Promise<string> {
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'uploadBlob');
  const sent = await call<{ messageId: string }>('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } });
  expectStatus(sent, 201, 'sendMessage');
  return sent.json.messageId;
}

before(async () => {
  server = await startTestServer();
  const call = httpClient(server.url);
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  actors = [
    { who: 'guardian', headers: { authorization: `Bearer ${fam.guardian.token}`, 'x-burrow-device': fam.guardian.as.device } },
    { who: 'toy', headers: { authorization: `Bearer ${toy.token}` } },
    { who: 'anonymous', headers: {} },
  ];
  realIds = [fam.familyId, fam.childId, toy.toyId, fam.guardian.accountId, fam.guardian.as.device, await sendVoice(call, fam, toy)];
  const otherFamily = await family(call);
  const otherToy = await pairToy(call, otherFamily);
  victims = [
    { who: 'guardian', headers: { authorization: `Bearer ${otherFamily.guardian.token}`, 'x-burrow-device': otherFamily.guardian.as.device } },
    { who: 'toy', headers: { authorization: `Bearer ${otherToy.token}` } },
  ];
  victimIds = [otherFamily.familyId, otherFamily.childId, otherToy.toyId, otherFamily.guardian.accountId, otherFamily.guardian.as.device, await sendVoice(call, otherFamily, otherToy)];
  const doc = await server.app.inject({ method: 'GET', url: '/v1/openapi.json' });
  operations = operationsOf(doc.json<OpenApiDoc>());
  tables = (await server.db.introspection.getTables()).map((t) => t.name).filter((name) => !LOGS.has(name));
});
after(async () => {
  await server.close();
});

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(server.db);
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

function assertErrorShape(status: number, body: string, what: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    assert.fail(`${what}: ${status} with a body that is not JSON: ${body.slice(0, 200)}`);
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; reason?: unknown } }).error;
  assert.deepEqual(Object.keys(parsed as object), ['error'], `${what}: ${body.slice(0, 200)}`);
  // Every refusal names its reason, a code the web app translates (REFUSALS in @burrow/api).
  assert.deepEqual(Object.keys(error ?? {}).filter((k) => k !== 'params').sort(), ['code', 'message', 'reason'], `${what}: ${body.slice(0, 200)}`);
  assert.ok(isRefusalReason(error?.reason), `${what}: reason ${String(error?.reason)} is not one of REFUSALS`);
  assert.equal(errorStatus[error?.code as ErrorCode], status, `${what}: code ${String(error?.code)} is not the code of ${status}`);
  assert.ok(typeof error?.message === 'string' && error.message.length > 0, `${what}: empty message`);
}

// ---------------------------------------------------------------------------------------------

test('every /v1 route the router serves is in the OpenAPI document, so the fuzzing below reaches it', () => {
  const described = new Set(operations.map((op) => `${op.method} ${op.path}`));
  const served = listRouterRoutes(server.app.printRoutes({ commonPrefix: false }))
    .filter((r) => r.path.startsWith('/v1/'))
    .flatMap((r) => r.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${r.path}`));
  assert.ok(served.length >= operations.length, 'the route list was read');
  assert.deepEqual(served.filter((r) => !described.has(r) && !(r in NOT_DESCRIBED)), []);
});

/** Sends one planned request as one actor; asserts no 5xx and the error shape of any 4xx. */
async function send(op: Operation, plan: Plan, actor: { who: string; headers: Record<string, string> }): Promise<number> {
  const headers: Record<string, string> = { ...actor.headers };
  if (plan.body.contentType !== null) headers['content-type'] = plan.body.contentType;
  const res = await server.app.inject({
    method: op.method as 'GET',
    url: plan.query === '' ? plan.path : `${plan.path}?${plan.query}`,
    headers,
    ...(plan.body.text === null ? {} : { payload: plan.body.text }),
  });
  const what = `${op.method} ${op.path} as ${actor.who}`;
  assert.ok(res.statusCode < 500, `${what}: ${String(res.statusCode)} ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 400) assertErrorShape(res.statusCode, res.body, what);
  return res.statusCode;
}

/** Runs a property with the seed in its failure message, so a failure can be replayed. */
async function check(name: string, seed: number, property: fc.IAsyncProperty<[Plan]>): Promise<void> {
  try {
    await fc.assert(property, { seed, numRuns: RUNS });
  } catch (err) {
    const cause = (err as Error).cause;
    throw new Error(
      `${name} failed; replay with BURROW_FUZZ_SEED=${String(SEED)} (this route: seed ${String(seed)}).\n` +
        `${cause instanceof Error ? cause.message : ''}\n${(err as Error).message}`.slice(0, 4_000),
      { cause: err },
    );
  }
}

test('every route answers generated bad input with a 4xx in the error shape, never a 5xx, and changes nothing', async (t) => {
  for (const [index, op] of operations.entries()) {
    const name = `${op.method} ${op.path}`;
    await t.test(name, async () => {
      const before = op.mutating ? await rowCounts() : null;
      await check(name, SEED + index, fc.asyncProperty(plansFor(op, realIds), async (plan) => {
        for (const actor of actors) {
          const status = await send(op, plan, actor);
          if (op.mutating && status < 400) assert.fail(`${name} as ${actor.who}: a request with bad input was accepted (${String(status)})`);
        }
      }));
      if (before !== null) assert.deepEqual(await rowCounts(), before, `${name}: bad requests changed rows`);
    });
  }
});

test('every route taking a query or a body answers edge values of the right type without a 5xx', async (t) => {
  for (const [index, op] of operations.entries()) {
    if (op.body === null && op.query.length === 0) continue; // nothing to vary: the bad-input test covers it
    const name = `${op.method} ${op.path}`;
    await t.test(name, () =>
      check(name, SEED + 1_000 + index, fc.asyncProperty(edgePlansFor(op, victimIds), async (plan) => {
        for (const actor of victims) await send(op, plan, actor);
      })),
    );
  }
});

test('the actors the fuzzing used are still signed in and paired (it probed, it did not break them)', async () => {
  for (const [url, actor] of [['/v1/me', actors[0]], ['/v1/toys/me', actors[1]]] as const) {
    const res = await server.app.inject({ method: 'GET', url, headers: actor?.headers ?? {} });
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
  }
});
