import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMemoryBlobs, type Blobs } from '../blobs/index.js';
import { createLogger } from '../logger.js';
import { family, expectStatus } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { codeForStatus, errorCodes, errorStatus } from './codes.js';
import { createHash, randomBytes } from 'node:crypto';
import { isRefusalReason, PASSWORD_MIN } from '@burrow/api';

let server: TestServer;
let call: Call;
const logLines: string[] = [];
let failBlobs = false;

// A blob store that can be told to fail, to provoke an unexpected server error.
const memory = createMemoryBlobs();
const flakyBlobs: Blobs = {
  ...memory,
  put: (key, bytes) =>
    failBlobs ? Promise.reject(new Error('disk on fire at /secret/path/blobs')) : memory.put(key, bytes),
};

before(async () => {
  server = await startTestServer({
    blobs: flakyBlobs,
    logger: createLogger('info', { write: (l: string) => void logLines.push(l) }),
  });
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

function assertErrorBody(res: Answer, status: number, code: string): void {
  expectStatus(res, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = res.json as { error: { code: string; message: string; reason?: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  // A refusal (4xx) says why as a stable code apps translate; a 5xx says nothing more.
  const keys = status < 500 ? ['code', 'message', 'reason'] : ['code', 'message'];
  assert.deepEqual(Object.keys(body.error).filter((k) => k !== 'params').sort(), keys);
  if (status < 500) assert.ok(isRefusalReason(body.error.reason), `reason ${String(body.error.reason)} is one of REFUSALS`);
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.doesNotMatch(res.text, /at .+\.(ts|js):\d+|stack|node_modules/i, 'no stack trace in an error body');
}

test('every error code maps to exactly one status, as docs/api.md lists them', () => {
  assert.deepEqual(errorStatus, {
    bad_request: 400,
    unauthenticated: 401,
    forbidden: 403,
    not_found: 404,
    conflict: 409,
    already_sent: 409,
    gone: 410,
    payload_too_large: 413,
    unsupported_media_type: 415,
    request_timeout: 408,
    rate_limited: 429,
    internal: 500,
    unavailable: 503,
  });
  // One code per status, except 409: `already_sent` (a retried send that landed) is told apart from
  // `conflict` on purpose, and a 409 Fastify raises itself is the plain `conflict`.
  assert.equal(new Set(errorCodes.map((c) => errorStatus[c])).size, errorCodes.length - 1);
  assert.equal(codeForStatus(409), 'conflict');
});

test('an unknown route is a JSON 404', async () => {
  assertErrorBody(await call('GET', '/v1/nothing-here'), 404, 'not_found');
  assertErrorBody(await call('POST', '/v1/me'), 404, 'not_found');
});

test('a URL the router cannot read (bad percent-escape, over-long parameter) is a 400 in the error shape', async () => {
  for (const path of ['/v1/families/%/toys', '/v1/families/%FF%FE/toys', '/v1/messages/%ED%A0%80/blob', `/v1/families/${'A'.repeat(200)}`]) {
    const res = await call('GET', path);
    assertErrorBody(res, 400, 'bad_request');
    assert.doesNotMatch(res.text, /FST_ERR/);
  }
});

test('a JSON body over 64 KiB is a 413 payload_too_large', async () => {
  const res = await call('POST', '/v1/accounts', {
    body: { email: 'big@example.com', password: 'x'.repeat(65 * 1024) },
  });
  assertErrorBody(res, 413, 'payload_too_large');
});

test('a blob over 2 MiB + 64 KiB is a 413, and nothing is stored', async () => {
  const fam = await family(call);
  const big = randomBytes(2 * 1024 * 1024 + 64 * 1024 + 1);
  const hash = createHash('sha256').update(big).digest('base64url');
  const res = await call('PUT', `/v1/families/${fam.familyId}/blobs/${hash}`, {
    ...fam.guardian.as,
    raw: big,
  });
  assertErrorBody(res, 413, 'payload_too_large');
  assert.equal(await memory.has(`${fam.familyId}/${hash}`), false);
});

test('a blob within the limit but with a JSON body where the blob should be is refused', async () => {
  const fam = await family(call);
  const res = await call('PUT', `/v1/families/${fam.familyId}/blobs/${'A'.repeat(43)}`, {
    ...fam.guardian.as,
    body: { not: 'bytes' },
  });
  assertErrorBody(res, 415, 'unsupported_media_type');
});

test('an unsupported content type is a 415', async () => {
  const res = await call('POST', '/v1/accounts', {
    raw: 'email=a@b.c',
    contentType: 'application/x-www-form-urlencoded',
  });
  assertErrorBody(res, 415, 'unsupported_media_type');
});

test('an unexpected failure is a bare 500 without details, and is logged server-side', async () => {
  const fam = await family(call);
  const bytes = randomBytes(100);
  const hash = createHash('sha256').update(bytes).digest('base64url');
  failBlobs = true;
  let res: Answer;
  try {
    res = await call('PUT', `/v1/families/${fam.familyId}/blobs/${hash}`, { ...fam.guardian.as, raw: bytes });
  } finally {
    failBlobs = false;
  }
  assertErrorBody(res, 500, 'internal');
  assert.deepEqual(res.json, { error: { code: 'internal', message: 'Internal error' } });
  assert.ok(!res.text.includes('disk on fire'));
  assert.ok(
    logLines.some((l) => l.includes('disk on fire')),
    'the cause is in the server log',
  );
});

test('malformed protocol input (a roster that is not one) is a 400, not a 500', async () => {
  const fam = await family(call);
  const res = await call('POST', `/v1/families/${fam.familyId}/rosters`, {
    ...fam.guardian.as,
    body: { roster: { v: 1, nonsense: true } },
  });
  assertErrorBody(res, 400, 'bad_request');
});

test('validation errors name the offending field', async () => {
  const fam = await family(call);
  const res = await call<{ error: { message: string } }>(
    'GET',
    `/v1/families/${fam.familyId}/rosters?after=-1`,
    { token: fam.guardian.token },
  );
  assertErrorBody(res, 400, 'bad_request');
  assert.match(res.json.error.message, /after/);
});

test('a refusal names its reason and the values its sentence needs, so apps can say it in their own language', async () => {
  const res = await call<{ error: { reason: string; params: Record<string, unknown> } }>('POST', '/v1/accounts', {
    body: { email: 'short@example.com', password: 'correct horse' },
  });
  assertErrorBody(res, 400, 'bad_request');
  assert.equal(res.json.error.reason, 'password_too_short');
  assert.deepEqual(res.json.error.params, { min: PASSWORD_MIN, length: 13 });
  assertErrorBody(await call('GET', '/v1/nothing-here'), 404, 'not_found');
  const route = await call<{ error: { reason: string } }>('GET', '/v1/nothing-here');
  assert.equal(route.json.error.reason, 'no_route');
});
