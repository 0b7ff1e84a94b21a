/**
 * Renewing a device's Ed25519 identity without pairing again (docs/protocol.md §17), end to end on a
 * real server: a member's device asks, a guardian's device approves, the device switches; a guardian's
 * device renews itself at once. Messages in flight to the old id still open; nothing signed by the
 * old key is accepted afterwards — by the server, the toy or the apps; a forged, not cross-signed or
 * replayed succession is refused by the server, the toy and the apps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, FamilyDevice, MemoryStore, type Grant } from '@burrow/client';
import {
  countersignSuccession,
  generateDeviceKeys,
  makeDeviceProof,
  nextRosterBody,
  signRoster,
  signSuccessionRequest,
  successorEntry,
  newMessageId,
  parseEnvelope,
  sealEnvelope,
  secureRandom,
  signKemKeyRecord,
  toBase64url,
  toyAdmission,
  type DeviceKeys,
} from '@burrow/protocol';
import { FORGED_SUCCESSIONS, tamperingSuccessions } from './succession-tampering.js';
import { audioSample, pairedFamily, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

type Paired = Awaited<ReturnType<typeof pairedFamily>>;
const relative: Grant = { role: 'member', sendToToy: true, hearChild: true };

async function join(fam: Paired, label: string, options: { fetch?: typeof fetch } = {}) {
  const gran = await world.guardian(label, options);
  const { code } = await fam.mum.invite(fam.familyId);
  const { requestId } = await gran.requestToJoin(code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, relative);
  return gran;
}

const status = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
};

/** The child's, the toy's and the people's names `device` can open (§15), as its app shows them. */
async function namesSeenBy(device: FamilyDevice, familyId: string) {
  const open = (record: Parameters<typeof device.openRecord>[1]) => device.openRecord(familyId, record).catch(() => null);
  const child = (await device.api.getFamily(familyId)).children[0]!;
  const toy = (await device.api.listToys(familyId)).toys[0]!;
  return {
    child: (await open(child.profile))?.childName ?? null,
    toy: toy.name ? ((await open(toy.name))?.toyName ?? null) : null,
    people: Object.fromEntries(await device.memberNames(familyId)),
  };
}

/** A voice envelope signed by `keys` for the toy, as a thief holding an old key would make one. */
async function signedBy(keys: DeviceKeys, fam: Paired, rosterVersion: number) {
  const { envelope, blob } = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId: fam.familyId,
    sender: keys,
    rosterVersion,
    createdAt: Date.now(),
    recipients: [{ deviceId: fam.toy.keys.deviceId, kemPublicKey: fam.toy.keys.kemPublicKey }],
    meta: {},
    payload: audioSample(2_000),
    random: secureRandom,
  });
  return { envelope, blob: blob! };
}

test("a member's device renews its identity: a guardian approves, its place, rights and in-flight messages follow, and its old key is refused everywhere", async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran');
  const oldKeys = gran.keys;
  await fam.mum.renameToy(fam.familyId, fam.toyId, 'Bunny');
  await fam.mum.publishMemberName(fam.familyId, 'Mum');
  await gran.publishMemberName(fam.familyId, 'Gran');
  // Grandma is under review on the toy: she must stay so under her new id.
  await fam.mum.setReview(fam.familyId, fam.toyId, [oldKeys.deviceId], true);
  // The child answers before the change: sealed to grandma's old id, in flight.
  const answer = audioSample(3_000);
  await fam.toy.record(answer, { durationMs: 100 });

  const asked = await gran.renewIdentity(fam.familyId);
  assert.equal(asked.renewed, false, 'a member waits for a guardian');
  assert.equal(await gran.renewalPending(), true);
  assert.equal(gran.deviceId, oldKeys.deviceId);
  assert.equal(await fam.mum.approveRenewals(fam.familyId), 1);
  assert.equal(await gran.adoptRenewedIdentity(fam.familyId), true);
  assert.notEqual(gran.deviceId, oldKeys.deviceId);
  assert.equal(gran.deviceId, asked.to);
  // The family's names read on the renewed device, and hers under her new id on the guardian's.
  const names = { child: 'Mia', toy: 'Bunny', people: { [fam.mum.deviceId]: 'Mum', [gran.deviceId]: 'Gran' } };
  assert.deepEqual(await namesSeenBy(gran, fam.familyId), names);
  assert.deepEqual(await namesSeenBy(fam.mum, fam.familyId), names);

  const roster = await fam.mum.roster(fam.familyId);
  assert.equal(roster.devices.some((d) => d.id === oldKeys.deviceId), false);
  assert.deepEqual(
    roster.devices.find((d) => d.id === gran.deviceId),
    { id: gran.deviceId, role: 'member', signPublicKey: toBase64url(gran.keys.signPublicKey), kemPublicKey: toBase64url(gran.keys.kemPublicKey), sendToToy: true, hearChild: true },
  );

  // The answer in flight to the old id reaches the renewed device and opens.
  const received = await gran.sync();
  assert.deepEqual(received.map((m) => m.audio), [answer]);

  // Her new id is still under review: the toy refuses her message until a guardian approves it.
  const events = fam.toy.events;
  const sent = await gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2_000), { senderName: 'Gran' });
  await fam.toy.sync();
  assert.ok(events.some((e) => e.type === 'succession' && e.from === oldKeys.deviceId && e.to === gran.deviceId));
  assert.equal(events.some((e) => e.type === 'queued' && e.messageId === sent), false, 'held for review, not delivered');
  await fam.mum.approveMessage(fam.familyId, sent);
  await fam.toy.sync();
  assert.ok(events.some((e) => e.type === 'queued' && e.messageId === sent));
  const played = await fam.toy.playNext();
  assert.equal(played?.messageId, sent);

  // The old identity: the server no longer knows the device, the toy refuses what it signs.
  const thief = new ApiClient({ baseUrl: world.url, token: gran.api.token!, deviceId: oldKeys.deviceId });
  const forged = await signedBy(oldKeys, fam, roster.version);
  assert.equal(await status(thief.listMessages(0, 10)), 403);
  assert.equal(await status(thief.publishKemKey(signKemKeyRecord({ deviceId: oldKeys.deviceId, epoch: 9, kemPublicKey: oldKeys.kemPublicKey, notBefore: Date.now() }, oldKeys.signSecretKey))), 403);
  assert.equal(await status(thief.registerDevice({ signPublicKey: toBase64url(oldKeys.signPublicKey), kemPublicKey: toBase64url(oldKeys.kemPublicKey), proof: makeDeviceProof(oldKeys, 'device') })), 200, 'it may register again, as a device nobody listed');
  assert.equal(toyAdmission(parseEnvelope(forged.envelope), await fam.toy.refreshRoster() as never, fam.toyId, () => false), 'unknown_sender');
});

test("a guardian's device renews itself at once; the toy then obeys rosters and settings its new key signs, not its old one", async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran');
  await fam.mum.renameToy(fam.familyId, fam.toyId, 'Bunny');
  await fam.mum.publishMemberName(fam.familyId, 'Mum');
  await gran.publishMemberName(fam.familyId, 'Gran');
  const oldKeys = fam.mum.keys;
  const result = await fam.mum.renewIdentity(fam.familyId);
  assert.equal(result.renewed, true);
  assert.notEqual(fam.mum.deviceId, oldKeys.deviceId);
  // What the old identity sealed (names) is sealed again by the new one: every person still reads it.
  const names = { child: 'Mia', toy: 'Bunny', people: { [fam.mum.deviceId]: 'Mum', [gran.deviceId]: 'Gran' } };
  assert.deepEqual(await namesSeenBy(fam.mum, fam.familyId), names);
  assert.deepEqual(await namesSeenBy(gran, fam.familyId), names);
  const settings = await fam.mum.setToySettings(fam.familyId, fam.toyId, { volume: 35 });
  assert.equal(settings.signer, fam.mum.deviceId);
  await fam.toy.sync();
  assert.equal(await fam.toy.volume(), 35);
  const sent = await fam.mum.sendVoice(fam.familyId, [fam.toyId], audioSample(2_000), {});
  await fam.toy.sync();
  assert.equal((await fam.toy.playNext())?.messageId, sent);
  // The old key signs a roster: it is not a guardian of the current roster, so the server refuses it
  // (and the toy would: verifyRosterSuccessor, succession.test.ts).
  const thief = new ApiClient({ baseUrl: world.url, token: fam.mum.api.token!, deviceId: oldKeys.deviceId });
  const current = await fam.mum.roster(fam.familyId);
  const rogue = signRoster(nextRosterBody(current, current.familyId, current.devices, Date.now()), oldKeys);
  assert.equal(await status(thief.publishRoster(fam.familyId, rogue)), 403);
  // Even through the guardian's real session and new device, a roster the old key signed is refused.
  assert.equal(await status(fam.mum.api.publishRoster(fam.familyId, rogue)), 400);
  await fam.toy.sync();
  assert.equal((await fam.toy.roster())?.version, current.version);
});

test('a succession the server forged — not countersigned by the guardian, not cross-signed by the old key, or replayed at another step — is refused by the renewing device and by the toy', async () => {
  for (const [name, change] of FORGED_SUCCESSIONS) {
    const on = { active: true };
    const fam = await pairedFamily(world, { fetch: tamperingSuccessions(change, on) });
    const gran = await join(fam, 'gran', { fetch: tamperingSuccessions(change, on) });
    await fam.mum.setReview(fam.familyId, fam.toyId, [gran.deviceId], true);
    const oldId = gran.deviceId;
    await gran.renewIdentity(fam.familyId);
    await fam.mum.approveRenewals(fam.familyId);
    assert.equal(await gran.adoptRenewedIdentity(fam.familyId), false, name);
    assert.equal(gran.deviceId, oldId, name);
    await fam.toy.sync();
    assert.ok(fam.toy.events.some((e) => e.type === 'succession_refused' && e.from === oldId), name);
    assert.equal(fam.toy.events.some((e) => e.type === 'succession'), false, name);
    // The honest succession, once served, is accepted.
    on.active = false;
    assert.equal(await gran.adoptRenewedIdentity(fam.familyId), true, name);
  }
});

test('the server refuses a request for another device, one not signed by both identities, and a succession replayed or without a request', async () => {
  const fam = await pairedFamily(world);
  const gran = await join(fam, 'gran');
  const mumRoster = await fam.mum.roster(fam.familyId);
  // Mum's device asks to renew grandma's: a device asks only for itself.
  const fresh = generateDeviceKeys(secureRandom);
  const forOther = signSuccessionRequest({ familyId: fam.familyId, issuedAt: Date.now() }, gran.keys, fresh);
  assert.equal(await status(fam.mum.api.requestSuccession(fam.familyId, forOther)), 403);
  // Grandma's request whose old-identity signature is not hers.
  await gran.api.registerDevice({ signPublicKey: toBase64url(fresh.signPublicKey), kemPublicKey: toBase64url(fresh.kemPublicKey), proof: makeDeviceProof(fresh, 'device') });
  assert.equal(await status(gran.api.requestSuccession(fam.familyId, { ...forOther, fromSignature: forOther.toSignature })), 400);
  // A guardian publishing a succession nobody asked for.
  const entry = successorEntry(forOther, mumRoster.devices.find((d) => d.id === gran.deviceId)!);
  const next = signRoster(nextRosterBody(mumRoster, fam.familyId, mumRoster.devices.map((d) => (d.id === gran.deviceId ? entry : d)), Date.now()), fam.mum.keys);
  assert.equal(await status(fam.mum.api.publishSuccession(fam.familyId, next, countersignSuccession(forOther, next.version, fam.mum.keys))), 400);
  // The real one, then the same again (replayed): the roster has moved on.
  await gran.renewIdentity(fam.familyId);
  assert.equal(await fam.mum.approveRenewals(fam.familyId), 1);
  const { successions } = await fam.mum.api.listSuccessions(fam.familyId);
  assert.equal(successions.length, 1);
  const performed = await fam.mum.roster(fam.familyId);
  assert.equal(await status(fam.mum.api.publishSuccession(fam.familyId, performed, successions[0]!)), 409);
  // A member cannot list or perform requests.
  assert.equal(await status(gran.api.listSuccessionRequests(fam.familyId)), 403);
});

/** A fetch that works until a succession is published, then fails every request: the app was killed. */
function killedAfterPublish(): typeof fetch {
  let dead = false;
  return async (input, init) => {
    if (dead) throw new TypeError('fetch failed: the app was killed');
    const res = await fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if ((init?.method ?? 'GET') === 'POST' && /\/successions$/.test(url) && res.ok) dead = true;
    return res;
  };
}

test("a guardian's app killed right after publishing a person's renewal — its own or a member's — seals the family's names again on its next key check", async () => {
  // The guardian's app keeps its store (keys, pinned roster, session) across the kill, as a browser's IndexedDB does.
  const store = new MemoryStore();
  const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store });
  await mum.signUp(`mum-${String(Date.now())}@example.com`, PASSWORD);
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy();
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.equal(await toy.checkPairing(), true);
  const fam = { mum, familyId, toy, toyId, childId } as unknown as Paired;
  const gran = await join(fam, 'gran');
  await mum.renameToy(familyId, toyId, 'Bunny');
  await mum.publishMemberName(familyId, 'Mum');
  await gran.publishMemberName(familyId, 'Gran');
  const restart = () => FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url, token: mum.api.token! }), store });

  // A member's renewal, performed by an app killed right after the publish.
  await gran.renewIdentity(familyId);
  const doomed = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url, token: mum.api.token!, fetch: killedAfterPublish() }), store });
  await doomed.approveRenewals(familyId).catch(() => undefined);
  assert.equal(await gran.adoptRenewedIdentity(familyId), true);
  assert.equal((await namesSeenBy(gran, familyId)).child, null, 'the kill left the names unreadable to her new id');
  let app = await restart();
  await app.maintainKeys(familyId, { force: true });
  const names = () => ({ child: 'Mia', toy: 'Bunny', people: { [app.deviceId]: 'Mum', [gran.deviceId]: 'Gran' } });
  assert.deepEqual(await namesSeenBy(gran, familyId), names());
  assert.deepEqual(await namesSeenBy(app, familyId), names());

  // The guardian's own renewal, killed right after the publish: started again, it switches and seals again.
  const oldId = app.deviceId;
  const doomedSelf = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url, token: mum.api.token!, fetch: killedAfterPublish() }), store });
  await doomedSelf.renewIdentity(familyId).catch(() => undefined);
  assert.equal((await namesSeenBy(gran, familyId)).child, null, 'the kill left what the old id sealed unreadable');
  app = await restart();
  await app.maintainKeys(familyId, { force: true });
  assert.notEqual(app.deviceId, oldId);
  assert.deepEqual(await namesSeenBy(gran, familyId), names());
  assert.deepEqual(await namesSeenBy(app, familyId), names());
  // Done once: a further check seals nothing again.
  assert.equal(await app.finishRenewals(familyId), 0);
});
