/**
 * The node-wide request timeout (http/client-errors.ts): on every route, a request whose head or body
 * has not arrived `requestTimeoutMs` after it started is answered 408 in the API's error shape and
 * its connection closed; bytes that are not HTTP get a 400 in the same shape; an open stream is not a
 * request and stays open. Real server on loopback, raw sockets; the timeout is 1 s (the least allowed)
 * and the tests wait for the server's answer, never for a time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { connectStream } from '../stream/test-socket.js';
import { expectStatus, family, pairToy, sealedVoice } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { rawExchange, rawHead } from '../testing/raw-http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
const sockets: WebSocket[] = [];

before(async () => {
  server = await startTestServer({
    admission: { maxInflightWrites: 256, retryAfterSeconds: 1, maxLagMs: 0, writeBodyTimeoutMs: 1000, requestTimeoutMs: 1000 },
  });
  call = httpClient(server.url);
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await server.close();
});

/** A sign-in whose body stops half-way: a route with no deadline of its own. */
function halfSentSignIn() {
  const body = Buffer.from(JSON.stringify({ email: 'slow@example.com', password: 'a sentence long enough to be one' }));
  const head = rawHead(server.url, 'POST', '/v1/auth/login', { 'content-type': 'application/json', 'content-length': String(body.length) });
  return rawExchange(server.url, [head, body.subarray(0, body.length >> 1)]);
}

void test('a request whose body stops arriving is answered 408 in the API shape and its connection closed, on a route without a deadline of its own', async () => {
  const answer = await halfSentSignIn();
  assert.equal(answer.status, 408);
  assert.equal(answer.headers.get('connection'), 'close');
  assert.equal(answer.json.error.code, 'request_timeout');
  assert.equal(answer.json.error.reason, 'body_too_slow');
  assert.match(answer.json.error.message, /did not arrive in time; nothing was done/);
});

void test('bytes that are not HTTP get a 400 in the API shape', async () => {
  const answer = await rawExchange(server.url, ['HELLO THERE\r\n\r\n']);
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error.code, 'bad_request');
  assert.equal(answer.json.error.reason, 'invalid_request');
});

void test('a stream open longer than the request timeout stays open and still hears its events', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const stream = await connectStream(server.url, { headers: { authorization: `Bearer ${toy.token}` } }, sockets);
  // A request started after the stream opened is cut: the server's check ran once the stream was
  // older than the timeout too.
  assert.equal((await halfSentSignIn()).status, 408);
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'upload');
  const sent = await call<{ seq: number }>('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } });
  expectStatus(sent, 201, 'send');
  assert.deepEqual(await stream.next((e) => e.type === 'message'), { type: 'message', seq: sent.json.seq });
});
