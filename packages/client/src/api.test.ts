import assert from 'node:assert/strict';
import { createServer } from 'node:http';
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
