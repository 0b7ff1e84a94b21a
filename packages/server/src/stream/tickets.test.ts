/**
 * Stream tickets (how the toy simulator opens the stream from a browser) and toy presence: a ticket
 * opens the stream once, for 30 seconds, for the toy it was issued to; the family hears its toy come
 * online and go offline, and the toys list says when it was last seen.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { ManualClock } from '../clock/index.js';
import { expectStatus, family, pairToy, registerToy, sealedVoice, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { connectStream, refusedWith } from './test-socket.js';

let server: TestServer;
let call: Call;
const clock = new ManualClock(Date.now());
const sockets: WebSocket[] = [];

before(async () => {
  server = await startTestServer({ clock });
  call = httpClient(server.url);
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await server.close();
});

async function ticketFor(toy: Toy): Promise<{ ticket: string; expiresAt: number }> {
  const res = await call<{ ticket: string; expiresAt: number }>('POST', '/v1/toys/me/stream-tickets', toy.as);
  expectStatus(res, 201, 'createStreamTicket');
  return res.json;
}

const withTicket = (ticket: string, device: string) => ({ query: { ticket, device } });

test('a ticket opens the stream as its toy, which then hears a message addressed to it', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const { ticket, expiresAt } = await ticketFor(toy);
  assert.match(ticket, /^st_[A-Za-z0-9_-]{43}$/);
  assert.equal(expiresAt, clock.now() + 30_000);
  const stream = await connectStream(server.url, withTicket(ticket, toy.toyId), sockets);
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201);
  const sent = await call<{ seq: number }>('POST', `/v1/families/${fam.familyId}/messages`, {
    ...fam.guardian.as,
    body: { envelope: voice.envelope },
  });
  expectStatus(sent, 201);
  assert.deepEqual(await stream.next((e) => e.type === 'message'), { type: 'message', seq: sent.json.seq });
});

test('a ticket works once: the second handshake with it is refused (401)', async () => {
  const toy = await registerToy(call);
  const { ticket } = await ticketFor(toy);
  await connectStream(server.url, withTicket(ticket, toy.toyId), sockets);
  await assert.rejects(connectStream(server.url, withTicket(ticket, toy.toyId), sockets), refusedWith(401));
});

test('a ticket expires after 30 seconds (401)', async () => {
  const toy = await registerToy(call);
  const { ticket } = await ticketFor(toy);
  clock.advance(30_001);
  await assert.rejects(connectStream(server.url, withTicket(ticket, toy.toyId), sockets), refusedWith(401));
});

test('a ticket is bound to its toy: naming another device, or none, is refused (403) and burns it', async () => {
  const toy = await registerToy(call);
  const other = await registerToy(call);
  const first = await ticketFor(toy);
  await assert.rejects(connectStream(server.url, withTicket(first.ticket, other.toyId), sockets), refusedWith(403));
  await assert.rejects(connectStream(server.url, withTicket(first.ticket, toy.toyId), sockets), refusedWith(401));
  const second = await ticketFor(toy);
  await assert.rejects(connectStream(server.url, { query: { ticket: second.ticket } }, sockets), refusedWith(403));
});

test('a made-up ticket, a ticket from another origin, and a ticket with a bearer header are refused', async () => {
  const toy = await registerToy(call);
  const made = 'st_' + 'A'.repeat(43);
  await assert.rejects(connectStream(server.url, withTicket(made, toy.toyId), sockets), refusedWith(401));
  const { ticket } = await ticketFor(toy);
  await assert.rejects(
    connectStream(server.url, { ...withTicket(ticket, toy.toyId), headers: { origin: 'https://evil.example' } }, sockets),
    refusedWith(403),
  );
  const again = await ticketFor(toy);
  await assert.rejects(
    connectStream(server.url, { ...withTicket(again.ticket, toy.toyId), headers: { authorization: `Bearer ${toy.token}` } }, sockets),
    refusedWith(400),
  );
  // Only the hash is kept.
  const rows = await server.db.selectFrom('stream_tickets').select('ticket_hash').execute();
  assert.ok(rows.every((r) => r.ticket_hash !== again.ticket && /^[0-9a-f]{64}$/.test(r.ticket_hash)));
});

test('the family hears its toy come online and go offline; the toys list shows presence and last seen', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const list = async () => {
    const res = await call<{ toys: { toyId: string; online: boolean; lastSeenAt: number | null }[] }>(
      'GET',
      `/v1/families/${fam.familyId}/toys`,
      { token: fam.guardian.token },
    );
    expectStatus(res, 200, 'listToys');
    return res.json.toys.find((t) => t.toyId === toy.toyId);
  };
  assert.deepEqual(await list(), { ...(await list())!, online: false, lastSeenAt: null });
  const mum = await connectStream(
    server.url,
    { headers: { authorization: `Bearer ${fam.guardian.token}` }, query: { device: fam.guardian.keys.deviceId } },
    sockets,
  );
  const toyStream = await connectStream(server.url, { headers: { authorization: `Bearer ${toy.token}` } }, sockets);
  const online = await mum.next((e) => e.type === 'presence' && e.online);
  assert.deepEqual(online, { type: 'presence', toyId: toy.toyId, online: true, lastSeenAt: clock.now() });
  assert.equal((await list())?.online, true);
  clock.advance(5000);
  toyStream.ws.close();
  const offline = await mum.next((e) => e.type === 'presence' && !e.online);
  assert.deepEqual(offline, { type: 'presence', toyId: toy.toyId, online: false, lastSeenAt: clock.now() });
  assert.deepEqual(await list(), { ...(await list())!, online: false, lastSeenAt: clock.now() });
});

test('a toy whose heartbeat stopped (its server node died) reads as offline', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  await server.db.insertInto('toy_presence').values({ toy_id: toy.toyId, connected: 1, last_seen_at: clock.now() - 120_000 }).execute();
  const res = await call<{ toys: { toyId: string; online: boolean; lastSeenAt: number }[] }>('GET', `/v1/families/${fam.familyId}/toys`, { token: fam.guardian.token });
  assert.deepEqual(res.json.toys.map((t) => [t.online, t.lastSeenAt]), [[false, clock.now() - 120_000]]);
});
