/**
 * P2 against a compromised server: a test double sits between the toy and the real server (it wraps
 * the toy's fetch, forwards every request over real HTTP and rewrites the answers) and tries to make
 * the toy play what it should not, or pin a roster the guardian did not sign. The toy plays nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateDeviceKeys, isProtocolError, newMessageId, toBase64url, nextRosterBody, rosterEntry, sealEnvelope, secureRandom, signRoster, type EnvelopeWire, type RosterWire } from '@burrow/protocol';
import type { ToySyncResponse } from '@burrow/api';
import { audioSample, pairedFamily, startWorld, type World } from './world.js';

type Rewrite = (path: string, body: unknown) => unknown;
type BlobRewrite = (path: string, bytes: Uint8Array) => Uint8Array;

/**
 * The toy's one-round-trip sync carries what the single endpoints answer: each part is rewritten as
 * the answer of its own endpoint would be, so every attack below reaches the toy whichever way it asks.
 */
function rewriteSync(rewrite: Rewrite, body: ToySyncResponse): ToySyncResponse {
  const part = <T>(path: string, value: T): T => rewrite(path, value) as T;
  return {
    rosters: part('/v1/toys/me/sync/rosters', { rosters: body.rosters }).rosters,
    deletions: part('/v1/toys/me/deletions', { deletions: body.deletions }).deletions,
    settings: part('/v1/toys/me/settings', { settings: body.settings }).settings,
    inbox: part('/v1/inbox', body.inbox),
    reviewed: part('/v1/toys/me/reviewed', { messages: body.reviewed }).messages,
    favourites: part('/v1/toys/me/favourites', { favourites: body.favourites }).favourites,
  };
}

/** A man-in-the-middle fetch: real requests, rewritten JSON answers. */
function mitm() {
  const state: { json: Rewrite | undefined; blob: BlobRewrite | undefined } = { json: undefined, blob: undefined };
  const fetchImpl: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const path = url.pathname;
    const type = res.headers.get('content-type') ?? '';
    if (state.json && type.includes('application/json')) {
      const rewrite = state.json;
      const json: unknown = await res.json();
      const body = path === '/v1/toys/me/sync' && res.ok ? rewriteSync(rewrite, json as ToySyncResponse) : rewrite(path, json);
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } });
    }
    if (state.blob && type.includes('application/octet-stream')) {
      const bytes = state.blob(path, new Uint8Array(await res.arrayBuffer()));
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: res.status, headers: { 'content-type': 'application/octet-stream' } });
    }
    return res;
  };
  return { state, fetch: fetchImpl };
}

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const stranger = generateDeviceKeys(secureRandom);

test('toy refuses an envelope the server modified', async () => {
  const m = mitm();
  const { mum, familyId, toy, toyId } = await pairedFamily(world, { fetch: m.fetch });
  await mum.sendVoice(familyId, [toyId], audioSample(3000), {});
  m.state.json = (path, body) => {
    if (path !== '/v1/inbox') return body;
    const b = body as { messages: { envelope: EnvelopeWire }[] };
    for (const item of b.messages) item.envelope.createdAt += 1;
    return b;
  };
  assert.equal(await toy.sync(), 0);
  assert.equal(await toy.playNext(), undefined);
  assert.ok(toy.events.some((e) => e.type === 'refused' && e.reason === 'bad_signature'));
});

test('toy refuses a message from a sender not in its roster, even one the server signs and seals properly', async () => {
  const m = mitm();
  const { familyId, toy, toyId } = await pairedFamily(world, { fetch: m.fetch });
  const roster = (await toy.roster())!;
  const { envelope } = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId: roster.familyId,
    sender: stranger,
    rosterVersion: roster.version,
    createdAt: Date.now(),
    recipients: [{ deviceId: toy.keys.deviceId, kemPublicKey: toy.keys.kemPublicKey }],
    meta: { senderName: 'Grandma (not really)' },
    payload: audioSample(2000),
    random: secureRandom,
  });
  assert.equal(envelope.familyId, familyId);
  m.state.json = (path, body) => (path === '/v1/inbox' ? { messages: [{ seq: 9_000_000, envelope }], next: 9_000_000 } : body);
  assert.equal(await toy.sync(), 0);
  assert.equal(await toy.playNext(), undefined);
  assert.ok(toy.events.some((e) => e.type === 'refused' && e.reason === 'unknown_sender'));
  assert.equal(toyId, toy.toyId);
});

test('toy refuses a replayed message it has already played', async () => {
  const m = mitm();
  const { mum, familyId, toy, toyId } = await pairedFamily(world, { fetch: m.fetch });
  const audio = audioSample(3000);
  await mum.sendVoice(familyId, [toyId], audio, {});
  let captured: { seq: number; envelope: EnvelopeWire } | undefined;
  m.state.json = (path, body) => {
    if (path === '/v1/inbox') captured ??= (body as { messages: { seq: number; envelope: EnvelopeWire }[] }).messages[0];
    return body;
  };
  await toy.sync();
  assert.deepEqual((await toy.playNext())?.audio, audio);
  // The server serves the same signed envelope again under a new sequence number.
  m.state.json = (path, body) => (path === '/v1/inbox' ? { messages: [{ seq: captured!.seq + 100, envelope: captured!.envelope }], next: captured!.seq + 100 } : body);
  assert.equal(await toy.sync(), 0);
  assert.equal(await toy.playNext(), undefined);
  assert.ok(toy.events.some((e) => e.type === 'refused' && e.reason === 'replay'));
});

test('toy refuses a roster not signed by a guardian, keeps its roster, and still refuses the forger', async () => {
  const m = mitm();
  const { familyId, toy } = await pairedFamily(world, { fetch: m.fetch });
  const pinned = (await toy.roster())!;
  const forged = signRoster(nextRosterBody(pinned, pinned.familyId, [...pinned.devices, rosterEntry(stranger, 'guardian', { sendToToy: true, hearChild: true })], Date.now()), stranger);
  m.state.json = (path, body) => (path.endsWith('/rosters') ? { rosters: [forged] } : body);
  await toy.refreshRoster();
  assert.equal((await toy.roster())?.version, pinned.version);
  assert.ok(toy.events.some((e) => e.type === 'roster_refused' && e.reason === 'not_authorized'));
  // A rollback to an older version is ignored as well.
  m.state.json = (path, body) => (path.endsWith('/rosters') ? { rosters: [{ ...pinned, version: 1 }] } : body);
  await toy.refreshRoster();
  assert.equal((await toy.roster())?.version, pinned.version);
  assert.equal(familyId, pinned.familyId);
});

test('toy refuses a blob the server swapped', async () => {
  const m = mitm();
  const { mum, familyId, toy, toyId } = await pairedFamily(world, { fetch: m.fetch });
  await mum.sendVoice(familyId, [toyId], audioSample(3000), {});
  m.state.blob = (_path, bytes) => {
    const copy = bytes.slice();
    copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 1;
    return copy;
  };
  assert.equal(await toy.sync(), 0);
  assert.ok(toy.events.some((e) => e.type === 'refused' && e.reason === 'hash_mismatch'));
});

test('toy refuses a pairing in which the server swapped in its own guardian key', async () => {
  const m = mitm();
  const mum = await world.guardian();
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Leo');
  const toy = await world.toy({ fetch: m.fetch });
  const code = await toy.startPairing();
  await mum.claimToy(familyId, childId, code);
  m.state.json = (path, body) => {
    if (path !== '/v1/toys/me/pairing') return body;
    const b = body as { roster: RosterWire; rosterTag: string };
    const toyEntry = b.roster.devices.find((d) => d.role === 'toy')!;
    const evil = signRoster(nextRosterBody(null, b.roster.familyId, [rosterEntry(stranger, 'guardian', { sendToToy: true, hearChild: true }), toyEntry], Date.now()), stranger);
    return { ...b, roster: evil };
  };
  assert.equal(await toy.checkPairing(), false);
  assert.equal(await toy.isPaired(), false);
  assert.ok(toy.events.some((e) => e.type === 'roster_refused' && e.reason === 'bad_pairing_tag'));
});

test("guardian refuses a pairing in which the server swapped the toy's keys", async () => {
  const m = mitm();
  const mum = await world.guardian('mum', { fetch: m.fetch });
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Ada');
  const toy = await world.toy();
  const code = await toy.startPairing();
  const impostor = generateDeviceKeys(secureRandom);
  m.state.json = (path, body) =>
    path.startsWith('/v1/pairing/')
      ? { ...(body as object), toyId: impostor.deviceId, signPublicKey: toBase64url(impostor.signPublicKey), kemPublicKey: toBase64url(impostor.kemPublicKey) }
      : body;
  await assert.rejects(mum.claimToy(familyId, childId, code), (e: unknown) => isProtocolError(e, 'bad_pairing_tag'));
  assert.equal(await toy.checkPairing(), false);
  assert.equal((await mum.roster(familyId)).devices.some((d) => d.role === 'toy'), false);
});

test('toy refuses a roster signed by a removed guardian and a fork of the chain, and plays nothing from the device they add', async () => {
  const m = mitm();
  const { mum, familyId, toy } = await pairedFamily(world, { fetch: m.fetch });
  // Dad joins as the second guardian through an invitation, then removes mum's device.
  const dad = await world.guardian('dad');
  const { requestId } = await dad.requestToJoin((await mum.invite(familyId)).code);
  await mum.approveJoinRequest(familyId, requestId, { role: 'guardian', sendToToy: true, hearChild: true });
  const withoutMum = await dad.removeDevices(familyId, [mum.deviceId]);
  await toy.refreshRoster();
  assert.equal((await toy.roster())?.version, withoutMum.version);
  const intruder = rosterEntry(stranger, 'member', { sendToToy: true, hearChild: true });
  // Mum's key was a guardian once; her signature no longer counts.
  const byRemoved = signRoster(nextRosterBody(withoutMum, withoutMum.familyId, [...withoutMum.devices, intruder], Date.now()), mum.keys);
  // A fork: a version n+1 signed by a real guardian, chained from a different version n.
  const otherN = signRoster(nextRosterBody(withoutMum, withoutMum.familyId, withoutMum.devices, Date.now()), dad.keys);
  const fork = signRoster({ ...nextRosterBody(otherN, otherN.familyId, [...otherN.devices, intruder], Date.now()), version: withoutMum.version + 1 }, dad.keys);
  for (const [served, reason] of [[byRemoved, 'not_authorized'], [fork, 'bad_chain']] as const) {
    m.state.json = (path, body) => (path.endsWith('/rosters') ? { rosters: [served] } : body);
    await toy.refreshRoster();
    assert.equal((await toy.roster())?.version, withoutMum.version);
    assert.ok(toy.events.some((e) => e.type === 'roster_refused' && e.reason === reason), `expected ${reason}`);
  }
  const { envelope } = await sealEnvelope({ kind: 'voice', id: newMessageId(secureRandom), familyId, sender: stranger, rosterVersion: withoutMum.version + 1, createdAt: Date.now(), recipients: [{ deviceId: toy.keys.deviceId, kemPublicKey: toy.keys.kemPublicKey }], meta: {}, payload: audioSample(1500), random: secureRandom });
  m.state.json = (path, body) => (path === '/v1/inbox' ? { messages: [{ seq: 9_000_001, envelope }], next: 9_000_001 } : path.endsWith('/rosters') ? { rosters: [fork] } : body);
  assert.equal(await toy.sync(), 0);
  assert.equal(await toy.playNext(), undefined);
  assert.ok(toy.events.some((e) => e.type === 'refused' && e.messageId === envelope.id));
});

test('review before play: the toy refuses a held message the server slips into the inbox, and a real review moved onto another message', async () => {
  const m = mitm();
  const { mum, familyId, toy, toyId } = await pairedFamily(world, { fetch: m.fetch });
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await mum.invite(familyId)).code);
  await mum.approveJoinRequest(familyId, requestId, { role: 'member', sendToToy: true, hearChild: true });
  await mum.setReview(familyId, toyId, [gran.deviceId], true);
  await toy.sync();
  const approved = await gran.sendVoice(familyId, [toyId], audioSample(1200), {});
  const held = await gran.sendVoice(familyId, [toyId], audioSample(1300), {});
  const heldRow = await world.server.db.selectFrom('messages').select('envelope').where('id', '=', held).executeTakeFirstOrThrow();
  const heldEnvelope = JSON.parse(heldRow.envelope) as EnvelopeWire;
  await mum.approveMessage(familyId, approved);
  m.state.json = (path, body) => {
    // The inbox gains the held message with no review; the review feed carries the approved
    // message's genuine review, but with the held message's envelope.
    if (path === '/v1/inbox') return { messages: [{ seq: 9_000_001, envelope: heldEnvelope }], next: 9_000_001 };
    if (path === '/v1/toys/me/reviewed') {
      const b = body as { messages: { seq: number; envelope: EnvelopeWire; review: { messageId: string } }[] };
      return { messages: b.messages.map((item) => ({ ...item, envelope: heldEnvelope, review: { ...item.review, messageId: held } })) };
    }
    return body;
  };
  assert.equal(await toy.sync(), 0);
  assert.equal(await toy.playNext(), undefined);
  const reasons = toy.events.filter((e) => e.type === 'refused' && e.messageId === held).map((e) => (e.type === 'refused' ? e.reason : ''));
  assert.deepEqual(reasons.sort(), ['bad_review', 'not_reviewed']);
});
