import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import {
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  registerToy,
  sealedVoice,
  type Family,
} from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { connectStream, refusedWith } from './test-socket.js';

let server: TestServer;
let call: Call;
const sockets: WebSocket[] = [];

before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await server.close();
});

/** Opens the stream with these headers, for `device` when given (test-socket.ts does the work). */
const connect = (baseUrl: string, headers: Record<string, string>, device?: string) =>
  connectStream(baseUrl, { headers, query: device ? { device } : {} }, sockets);

async function sendVoice(fam: Family, from: Family['guardian'], to: Family['guardian']['keys'][]) {
  const voice = await sealedVoice(from.keys, fam.roster, to);
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...from.as, raw: voice.blob }),
    201,
  );
  const res = await call<{ seq: number }>('POST', `/v1/families/${fam.familyId}/messages`, {
    ...from.as,
    body: { envelope: voice.envelope },
  });
  expectStatus(res, 201);
  return { id: voice.envelope.id, seq: res.json.seq };
}

test('a device hears about a message addressed to it, and the sender hears the receipt', async () => {
  const fam = await family(call);
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  const mumStream = await connect(server.url, {
    authorization: `Bearer ${fam.guardian.token}`,
    'x-burrow-device': fam.guardian.keys.deviceId,
  });
  const granStream = await connect(server.url, { authorization: `Bearer ${gran.token}` }, gran.keys.deviceId);
  const sent = await sendVoice(fam, fam.guardian, [gran.keys]);
  assert.deepEqual(await granStream.next((e) => e.type === 'message'), { type: 'message', seq: sent.seq });
  expectStatus(
    await call('POST', `/v1/messages/${sent.id}/receipts`, { ...gran.as, body: { kind: 'played' } }),
    204,
  );
  assert.deepEqual(await mumStream.next((e) => e.type === 'receipt'), {
    type: 'receipt',
    messageId: sent.id,
    deviceId: gran.keys.deviceId,
    kind: 'played',
  });
  assert.ok(!mumStream.events.some((e) => e.type === 'message'), 'mum was not a recipient');
});

test('family devices hear roster changes; a toy hears its pairing, then its family', async () => {
  const fam = await family(call);
  const mumStream = await connect(
    server.url,
    { authorization: `Bearer ${fam.guardian.token}` },
    fam.guardian.keys.deviceId,
  );
  const toy = await registerToy(call);
  const toyStream = await connect(server.url, { authorization: `Bearer ${toy.token}` });
  await pairToy(call, fam, toy);
  assert.deepEqual(await toyStream.next((e) => e.type === 'pairing'), { type: 'pairing' });
  assert.deepEqual(await mumStream.next((e) => e.type === 'roster'), {
    type: 'roster',
    familyId: fam.familyId,
    version: 2,
  });
  // Once paired, the toy's stream follows its family: the next roster reaches it too.
  await new Promise((r) => setTimeout(r, 100));
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  assert.deepEqual(await toyStream.next((e) => e.type === 'roster' && e.version === 3), {
    type: 'roster',
    familyId: fam.familyId,
    version: 3,
  });
});

test("a device of another family hears nothing of this family's messages", async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const eve = await family(call);
  const eveStream = await connect(
    server.url,
    { authorization: `Bearer ${eve.guardian.token}` },
    eve.guardian.keys.deviceId,
  );
  const toyStream = await connect(server.url, { authorization: `Bearer ${toy.token}` });
  await sendVoice(fam, fam.guardian, [toy.keys]);
  await toyStream.next((e) => e.type === 'message');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(eveStream.events, []);
});

test('browsers use the session cookie and ?device=; a cross-origin handshake with the cookie is refused', async () => {
  const fam = await family(call);
  const cookie = `burrow_session=${fam.guardian.token}`;
  const host = new URL(server.url).host;
  const ok = await connect(server.url, { cookie, origin: `http://${host}` }, fam.guardian.keys.deviceId);
  ok.ws.close();
  await assert.rejects(
    connect(server.url, { cookie, origin: 'https://evil.example' }, fam.guardian.keys.deviceId),
    refusedWith(403),
  );
});

test('the stream refuses a logged-out client (401), a person without a device (400) and a device of another account (403)', async () => {
  const fam = await family(call);
  const eve = await person(call, 'eve');
  await assert.rejects(connect(server.url, {}), refusedWith(401));
  await assert.rejects(connect(server.url, { authorization: 'Bearer bt_not-a-toy' }), refusedWith(401));
  await assert.rejects(
    connect(server.url, { authorization: `Bearer ${fam.guardian.token}` }),
    refusedWith(400),
  );
  await assert.rejects(
    connect(server.url, { authorization: `Bearer ${eve.token}` }, fam.guardian.keys.deviceId),
    refusedWith(403),
  );
});

test('a plain GET of the stream (no upgrade) is a 400 saying to use WebSocket', async () => {
  const fam = await family(call);
  const res = await call<{ error: { message: string } }>('GET', '/v1/stream', fam.guardian.as);
  expectStatus(res, 400);
  assert.match(res.json.error.message, /WebSocket/);
});

test('the global rate limit does not count stream connections', async () => {
  const limited = await startTestServer({ rateLimits: { global: { max: 4, windowMs: 60_000 } } });
  try {
    const c = httpClient(limited.url);
    const toy = await registerToy(c);
    const streams = [];
    for (let i = 0; i < 8; i++)
      streams.push(await connect(limited.url, { authorization: `Bearer ${toy.token}` }));
    assert.equal(streams.length, 8);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await c('GET', '/v1/toys/me', toy.as)).status);
    assert.ok(statuses.includes(429), `ordinary routes are limited: ${statuses.join(',')}`);
    for (const s of streams) s.ws.terminate();
  } finally {
    await limited.close();
  }
});
