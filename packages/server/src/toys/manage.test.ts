/**
 * A family's toys: the list (sealed name, unplayed count), renaming (a sealed record the server cannot
 * read), and unpairing (a guardian's roster without the toy; the toy's credentials, queue, pairing,
 * settings and name are gone, and it is told so on its stream).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type WebSocket from 'ws';
import { newMessageId, openEnvelope, sealEnvelope, secureRandom, type DeviceKeys, type EnvelopeWire, type RosterWire } from '@burrow/protocol';
import {
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  registerToy,
  sealedVoice,
  successor,
  type Family,
  type Toy,
} from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { connectStream } from '../stream/test-socket.js';

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

interface Listed {
  toyId: string;
  childId: string | null;
  name: EnvelopeWire | null;
  online: boolean;
  lastSeenAt: number | null;
  unplayed: number;
}

async function listToys(fam: Family, token = fam.guardian.token): Promise<Listed[]> {
  const res = await call<{ toys: Listed[] }>('GET', `/v1/families/${fam.familyId}/toys`, { token });
  expectStatus(res, 200, 'listToys');
  return res.json.toys;
}

async function nameRecord(sender: DeviceKeys, roster: RosterWire, name: string, recipients: DeviceKeys[] = [sender]) {
  const { envelope } = await sealEnvelope({
    kind: 'record',
    id: newMessageId(secureRandom),
    familyId: roster.familyId,
    sender,
    rosterVersion: roster.version,
    createdAt: Date.now(),
    recipients: recipients.map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
    meta: { toyName: name },
    random: secureRandom,
  });
  return envelope;
}

async function send(fam: Family, toy: Toy) {
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys, fam.guardian.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201);
  const res = await call<{ seq: number }>('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } });
  expectStatus(res, 201);
  return voice;
}

test('a guardian names a toy with a sealed record; the family opens it, the database never holds the name', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  assert.deepEqual((await listToys(fam)).map((t) => [t.toyId, t.childId, t.name, t.unplayed]), [[toy.toyId, fam.childId, null, 0]]);
  const record = await nameRecord(fam.guardian.keys, fam.roster, 'Bunny Marmalade');
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/toys/${toy.toyId}/name`, { ...fam.guardian.as, body: { name: record } }), 204);
  const [listed] = await listToys(fam);
  assert.ok(listed?.name);
  const opened = await openEnvelope(listed.name, null, fam.guardian.keys);
  assert.equal(opened.meta.toyName, 'Bunny Marmalade');
  const rows = await server.db.selectFrom('toy_names').selectAll().execute();
  assert.ok(rows.length > 0 && rows.every((r) => !r.name_ciphertext.includes('Bunny')));
});

test('renaming is refused to a member (403), to a record sealed by another device or to a toy (400), and for a foreign toy (404)', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  const path = `/v1/families/${fam.familyId}/toys/${toy.toyId}/name`;
  expectStatus(await call('PUT', path, { ...gran.as, body: { name: await nameRecord(gran.keys, fam.roster, 'Gran’s') } }), 403);
  // Signed by the guardian's device but sent as gran's session: the signer must be the caller.
  expectStatus(await call('PUT', path, { ...fam.guardian.as, body: { name: await nameRecord(gran.keys, fam.roster, 'x') } }), 400);
  expectStatus(await call('PUT', path, { ...fam.guardian.as, body: { name: await nameRecord(fam.guardian.keys, fam.roster, 'x', [toy.keys]) } }), 400);
  const other = await family(call);
  const otherToy = await pairToy(call, other);
  expectStatus(
    await call('PUT', `/v1/families/${fam.familyId}/toys/${otherToy.toyId}/name`, { ...fam.guardian.as, body: { name: await nameRecord(fam.guardian.keys, fam.roster, 'x') } }),
    404,
  );
  assert.equal((await listToys(fam))[0]?.name, null, 'nothing changed');
});

test('the toys list counts messages a toy has not played', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const first = await send(fam, toy);
  await send(fam, toy);
  assert.equal((await listToys(fam))[0]?.unplayed, 2);
  expectStatus(await call('POST', `/v1/messages/${first.envelope.id}/receipts`, { ...toy.as, body: { kind: 'played' } }), 204);
  assert.equal((await listToys(fam))[0]?.unplayed, 1);
});

test('unpairing revokes the toy: it is told, its token stops working, its queue, name and settings are gone', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const keep = await pairToy(call, fam);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/toys/${toy.toyId}/name`, { ...fam.guardian.as, body: { name: await nameRecord(fam.guardian.keys, fam.roster, 'Bunny') } }), 204);
  const toyOnly = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys]);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${toyOnly.hash}`, { ...fam.guardian.as, raw: toyOnly.blob }), 201);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: toyOnly.envelope } }), 201);
  const shared = await send(fam, toy);
  const toyStream = await connectStream(server.url, { headers: { authorization: `Bearer ${toy.token}` } }, sockets);
  const mumStream = await connectStream(server.url, { headers: { authorization: `Bearer ${fam.guardian.token}` }, query: { device: fam.guardian.keys.deviceId } }, sockets);

  const next = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== toy.toyId), fam.guardian.keys);
  const res = await call<{ version: number }>('POST', `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`, { ...fam.guardian.as, body: { roster: next } });
  expectStatus(res, 200, 'unpairToy');
  assert.equal(res.json.version, next.version);
  fam.roster = next;

  assert.deepEqual(await toyStream.next((e) => e.type === 'unpaired'), { type: 'unpaired' });
  assert.equal(await toyStream.closed, 4401);
  await mumStream.next((e) => e.type === 'roster' && e.version === next.version);
  await mumStream.next((e) => e.type === 'toys');
  for (const [method, path] of [['GET', '/v1/inbox'], ['GET', '/v1/toys/me'], ['GET', '/v1/toys/me/settings'], ['POST', '/v1/toys/me/stream-tickets']] as const)
    expectStatus(await call(method, path, toy.as), 401, path);
  assert.deepEqual((await listToys(fam)).map((t) => t.toyId), [keep.toyId]);
  const left = await server.db.selectFrom('message_recipients').select('device_id').where('device_id', '=', toy.toyId).execute();
  assert.deepEqual(left, [], 'its queue is deleted');
  const gone = await server.db.selectFrom('messages').select('id').where('id', '=', toyOnly.envelope.id).execute();
  assert.deepEqual(gone, [], 'a message only the toy could fetch is deleted');
  assert.equal(await server.blobs.has(`${fam.familyId}/${toyOnly.hash}`), false, 'and its ciphertext');
  const sharedRow = await server.db.selectFrom('messages').select('id').where('id', '=', shared.envelope.id).execute();
  assert.equal(sharedRow.length, 1, "the sender's own copy stays");
  for (const table of ['toy_names', 'pairings', 'toy_presence', 'stream_tickets', 'toy_settings'] as const) {
    const rows = await server.db.selectFrom(table).select('toy_id' as never).where('toy_id' as never, '=', toy.toyId as never).execute().catch(() => null);
    if (rows) assert.deepEqual(rows, [], table);
  }
  const rows = await server.db.selectFrom('devices').select('id').where('id', '=', toy.toyId).execute();
  assert.deepEqual(rows, [], 'the server forgot the toy');
});

test('an unpaired toy registers a new identity and pairs again, with this family or another', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const next = successor(fam.roster, fam.roster.devices.filter((d) => d.id !== toy.toyId), fam.guardian.keys);
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`, { ...fam.guardian.as, body: { roster: next } }), 200);
  fam.roster = next;
  const fresh = await pairToy(call, fam, await registerToy(call));
  assert.deepEqual((await listToys(fam)).map((t) => t.toyId), [fresh.toyId]);
});

test('unpairing is refused to a member (403), for a roster that changes anything else or still lists the toy (400), and changes nothing', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  const path = `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`;
  const without = fam.roster.devices.filter((d) => d.id !== toy.toyId);
  expectStatus(await call('POST', path, { ...gran.as, body: { roster: successor(fam.roster, without, gran.keys) } }), 403);
  expectStatus(await call('POST', path, { ...fam.guardian.as, body: { roster: successor(fam.roster, fam.roster.devices, fam.guardian.keys) } }), 400);
  const alsoGran = without.filter((d) => d.id !== gran.keys.deviceId);
  expectStatus(await call('POST', path, { ...fam.guardian.as, body: { roster: successor(fam.roster, alsoGran, fam.guardian.keys) } }), 400);
  expectStatus(await call('GET', '/v1/toys/me', toy.as), 200);
  assert.deepEqual((await listToys(fam)).map((t) => t.toyId), [toy.toyId]);
});
