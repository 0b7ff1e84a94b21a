import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ApiClient, isApiError } from './index.js';

test('an unreachable server is one ApiError with status 0, not a raw fetch failure', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r)); // nothing listens there any more
  const api = new ApiClient({ baseUrl: `http://127.0.0.1:${port}` });
  await assert.rejects(api.getMe(), (e: unknown) => isApiError(e, 'unreachable') && e.status === 0);
});

test("an error body becomes an ApiError carrying the server's code and message", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(409, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'conflict', message: 'That email is taken.' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    const api = new ApiClient({ baseUrl: `http://127.0.0.1:${port}/` });
    await assert.rejects(api.signUp('a@example.com', 'x'), (e: unknown) => isApiError(e, 'conflict') && e.status === 409 && e.message === 'That email is taken.');
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('requests carry the bearer token and the acting device', async () => {
  let seen: Record<string, string | string[] | undefined> = {};
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"messages":[],"next":0}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'bs_abc', deviceId: 'dev1' }).listMessages(0);
    assert.equal(seen.authorization, 'Bearer bs_abc');
    assert.equal(seen['x-burrow-device'], 'dev1');
  } finally {
    await new Promise((r) => server.close(r));
  }
});

/** A server answering every request with `answer`; counts the requests it got. */
async function answering(answer: (res: ServerResponse) => void) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    answer(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise((r) => server.close(r)) };
}

const busy = (retryAfter: string) => (res: ServerResponse) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': retryAfter });
  res.end(JSON.stringify({ error: { code: 'unavailable', message: `The server is busy; try again in ${retryAfter} s.` } }));
};

test('a busy 503 is tried again after Retry-After for a GET (twice at most), then surfaced with its wait', async () => {
  const server = await answering(busy('0'));
  try {
    const api = new ApiClient({ baseUrl: server.url });
    await assert.rejects(api.getMe(), (e: unknown) => isApiError(e, 'unavailable') && e.status === 503 && e.retryAfterSeconds === 0 && /busy/.test(e.message));
    assert.equal(server.requests(), 3);
  } finally {
    await server.close();
  }
});

test('a 503 is not tried again for a call that may not be repeated (sign-up), nor when the wait asked is over 5 s', async () => {
  const server = await answering(busy('2'));
  const slow = await answering(busy('30'));
  try {
    await assert.rejects(new ApiClient({ baseUrl: server.url }).signUp('a@example.com', 'x'), (e: unknown) => isApiError(e, 'unavailable') && e.retryAfterSeconds === 2 && e.message === 'The server is busy; try again in 2 s.');
    assert.equal(server.requests(), 1);
    await assert.rejects(new ApiClient({ baseUrl: slow.url }).uploadBlob('f', 'h', new Uint8Array(4)), (e: unknown) => isApiError(e, 'unavailable') && e.retryAfterSeconds === 30);
    assert.equal(slow.requests(), 1);
  } finally {
    await server.close();
    await slow.close();
  }
});

test("a proxy's bare 503 still says what to do", async () => {
  const server = await answering((res) => {
    res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '120' });
    res.end('<h1>Service Unavailable</h1>');
  });
  try {
    await assert.rejects(new ApiClient({ baseUrl: server.url }).signUp('a@example.com', 'x'), (e: unknown) => isApiError(e, 'unavailable') && e.message === 'The Burrow server is busy or unavailable; try again in 120 s.');
  } finally {
    await server.close();
  }
});
