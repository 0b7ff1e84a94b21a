/**
 * Review before play (issue 4, docs/safety.md, docs/protocol.md §11): a guardian puts a relative under
 * review for a toy; the relative's messages wait until a guardian's device signs a review of exactly
 * that message for that toy. The real toy code runs with a controlled clock. The server holds the
 * message (server check) and the toy refuses it without a valid review (toy check), so a compromised
 * server — here, writing straight into the database — can neither skip the review nor forge one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, isApiError, MemoryStore, type Grant } from '@burrow/client';
import { newMessageId, nextRosterBody, parseEnvelope, reviewedDevices, rosterEntry, sealEnvelope, secureRandom, signReview, signRoster, type EnvelopeWire } from '@burrow/protocol';
import { audioSample, pairedFamily, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

type Paired = Awaited<ReturnType<typeof pairedFamily>>;
const sender: Grant = { role: 'member', sendToToy: true, hearChild: true };

function clock(start: number) {
  const c = { now: start };
  return Object.assign(() => c.now, { set: (t: number) => (c.now = t) });
}
const noon = Date.parse('2026-01-15T12:00:00Z');

async function join(fam: Paired, label: string, grant: Grant) {
  const relative = await world.guardian(label);
  const { requestId } = await relative.requestToJoin((await fam.mum.invite(fam.familyId)).code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, grant);
  return relative;
}

/** A family whose toy keeps gran's messages for review; the toy holds the settings already. */
async function reviewedFamily() {
  const now = clock(noon);
  const fam = await pairedFamily(world, { clock: now });
  const gran = await join(fam, 'gran', sender);
  await fam.mum.setReview(fam.familyId, fam.toyId, [gran.deviceId], true);
  await fam.toy.sync();
  return { ...fam, gran, now };
}

const envelopeOf = async (messageId: string): Promise<EnvelopeWire> => {
  const row = await world.server.db.selectFrom('messages').select('envelope').where('id', '=', messageId).executeTakeFirstOrThrow();
  return parseEnvelope(JSON.parse(row.envelope));
};

/** What a compromised server can do: release a held message to the toy with whatever review it likes. */
async function releaseInDatabase(messageId: string, toyId: string, review: unknown): Promise<void> {
  const db = world.server.db;
  const { seq } = await db.selectFrom('messages').select('seq').where('id', '=', messageId).executeTakeFirstOrThrow();
  await db.updateTable('message_reviews').set({ state: 'approved', review: JSON.stringify(review), decided_at: Date.now() }).where('message_seq', '=', seq).where('toy_id', '=', toyId).execute();
  await db.insertInto('review_releases').values({ message_seq: seq, toy_id: toyId, created_at: Date.now() }).execute();
}

const refused = (fam: Paired, messageId: string, reason: string) =>
  fam.toy.events.some((e) => e.type === 'refused' && e.messageId === messageId && e.reason === reason);

test("a reviewed member's message waits, heart dark, until a guardian approves it; then the toy plays it at the set volume", async () => {
  const fam = await reviewedFamily();
  await fam.mum.setToySettings(fam.familyId, fam.toyId, { volume: 35 });
  const audio = audioSample(2500);
  const messageId = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audio, { senderName: 'Gran' });
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.unplayedCount(), 0, 'the heart stays dark');
  fam.now.set(noon + 3 * 3600_000); // hours later, still nothing without a review
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.playNext(), undefined);
  // The guardian sees it in the queue and listens first: it was sealed to her as well.
  const [pending] = await fam.mum.listReviews(fam.familyId);
  assert.equal(pending?.messageId, messageId);
  assert.deepEqual(pending.toyIds, [fam.toyId]);
  assert.equal(pending.senderEmail, fam.gran.email);
  const heard = await fam.mum.openReview(fam.familyId, pending);
  assert.deepEqual(heard.audio, audio);
  assert.equal(heard.meta.senderName, 'Gran');
  // A member cannot approve (server), nor list the queue.
  await assert.rejects(fam.gran.approveMessage(fam.familyId, messageId), (e: unknown) => isApiError(e) && e.status === 403);
  await fam.mum.approveMessage(fam.familyId, messageId);
  assert.deepEqual(await fam.mum.listReviews(fam.familyId), []);
  assert.equal(await fam.toy.sync(), 1);
  const played = await fam.toy.playNext();
  assert.deepEqual(played?.audio, audio);
  assert.equal(played?.volume, 35);
  // Other senders are not held: mum's message plays without review.
  await fam.mum.sendVoice(fam.familyId, [fam.toyId], audioSample(900), {});
  assert.equal(await fam.toy.sync(), 1);
  // Turning review off lets gran's next message through directly.
  await fam.mum.setReview(fam.familyId, fam.toyId, [fam.gran.deviceId], false);
  await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(800), {});
  assert.equal(await fam.toy.sync(), 1);
});

test('a declined message is deleted, envelope and audio, and its sender sees "declined"', async () => {
  const fam = await reviewedFamily();
  const messageId = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), {});
  const envelope = await envelopeOf(messageId);
  const blobKey = `${fam.familyId}/${envelope.blob!.hash}`;
  assert.ok(await world.server.blobs.has(blobKey));
  await assert.rejects(fam.gran.declineMessage(fam.familyId, messageId), (e: unknown) => isApiError(e) && e.status === 403);
  await fam.mum.declineMessage(fam.familyId, messageId);
  assert.equal(await world.server.blobs.has(blobKey), false, 'the audio is gone');
  const row = await world.server.db.selectFrom('messages').select(['envelope', 'blob_hash']).where('id', '=', messageId).executeTakeFirstOrThrow();
  assert.deepEqual(row, { envelope: '', blob_hash: null }, 'the envelope is gone');
  const blobRows = await world.server.db.selectFrom('blobs').select('hash').where('family_id', '=', fam.familyId).where('hash', '=', envelope.blob!.hash).execute();
  assert.equal(blobRows.length, 0);
  const sent = (await fam.gran.api.listSent(0)).messages.find((m) => m.messageId === messageId);
  assert.deepEqual(sent?.receipts.map((r) => [r.deviceId, r.kind]), [[fam.toyId, 'declined']]);
  assert.equal(await fam.toy.sync(), 0);
  await assert.rejects(fam.mum.api.approveMessage(fam.familyId, messageId, [signReview(envelope, fam.toyId, fam.mum.keys)]), (e: unknown) => isApiError(e) && e.status === 404);
});

test('a compromised server that skips the review gets nothing played (toy check)', async () => {
  const fam = await reviewedFamily();
  const messageId = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1500), {});
  // Marked approved without any review, then served through the ordinary inbox as if never held.
  await releaseInDatabase(messageId, fam.toyId, null);
  assert.equal(await fam.toy.sync(), 0);
  const { seq } = await world.server.db.selectFrom('messages').select('seq').where('id', '=', messageId).executeTakeFirstOrThrow();
  await world.server.db.deleteFrom('message_reviews').where('message_seq', '=', seq).execute();
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.playNext(), undefined);
  assert.ok(refused(fam, messageId, 'not_reviewed'), JSON.stringify(fam.toy.events.filter((e) => e.type === 'refused')));
});

test('forged reviews get nothing played: by the sender, by a removed guardian, over another message, for another toy (toy check; the server refuses them too)', async () => {
  const fam = await reviewedFamily();
  // A second guardian (dad) who is then removed from the roster.
  const dad = await join(fam, 'dad', { role: 'guardian', sendToToy: true, hearChild: true });
  const first = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1200), {});
  const second = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1300), {});
  const third = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1400), {});
  const fourth = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1500), {});
  const [e1, e2, , e4] = await Promise.all([first, second, third, fourth].map(envelopeOf));
  const dadsReview = signReview(e2!, fam.toyId, dad.keys);
  await fam.mum.removeDevices(fam.familyId, [dad.deviceId]);
  const byGran = signReview(e1!, fam.toyId, fam.gran.keys);
  const mumsOverOther = signReview(e4!, fam.toyId, fam.mum.keys);
  const mumsForOtherToy = signReview(e4!, fam.gran.deviceId, fam.mum.keys);
  // Server check: each is refused through the API (400), and dad's device is no longer a guardian's (404/403).
  for (const [review, messageId] of [[byGran, first], [mumsOverOther, third], [mumsForOtherToy, fourth]] as const) {
    await assert.rejects(fam.mum.api.approveMessage(fam.familyId, messageId, [review]), (e: unknown) => isApiError(e) && e.status === 400);
  }
  await assert.rejects(dad.api.approveMessage(fam.familyId, second, [dadsReview]), (e: unknown) => isApiError(e) && [403, 404].includes(e.status));
  // Toy check: written straight into the database, each is refused.
  await releaseInDatabase(first, fam.toyId, byGran);
  await releaseInDatabase(second, fam.toyId, dadsReview);
  await releaseInDatabase(third, fam.toyId, { ...mumsOverOther, messageId: third });
  await releaseInDatabase(fourth, fam.toyId, mumsForOtherToy);
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.playNext(), undefined);
  for (const id of [first, second, third, fourth]) assert.ok(refused(fam, id, 'bad_review'), `${id}: ${JSON.stringify(fam.toy.events.filter((e) => e.type === 'refused'))}`);
  // The genuine review by a current guardian still works for the same message (nothing was "used up").
  const messageId = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1100), {});
  await fam.mum.approveMessage(fam.familyId, messageId);
  assert.equal(await fam.toy.sync(), 1);
});

test('a queued message whose reviewing guardian is removed before play does not play; review turned on after queueing holds it too', async () => {
  const fam = await reviewedFamily();
  const dad = await join(fam, 'dad', { role: 'guardian', sendToToy: true, hearChild: true });
  const messageId = await fam.gran.sendVoice(fam.familyId, [fam.toyId], audioSample(1000), {});
  await dad.approveMessage(fam.familyId, messageId);
  assert.equal(await fam.toy.sync(), 1);
  await fam.mum.removeDevices(fam.familyId, [dad.deviceId]);
  assert.equal(await fam.toy.playNext(), undefined);
  assert.ok(refused(fam, messageId, 'bad_review'));
  // Aunt's message is queued before she is put under review: it then waits for review, which it lacks.
  const aunt = await join(fam, 'aunt', sender);
  const auntsId = await aunt.sendVoice(fam.familyId, [fam.toyId], audioSample(1000), {});
  assert.equal(await fam.toy.sync(), 1);
  await fam.mum.setReview(fam.familyId, fam.toyId, [aunt.deviceId], true);
  assert.equal(await fam.toy.playNext(), undefined);
  assert.ok(refused(fam, auntsId, 'not_reviewed'));
});

test("a reviewed person's new device is put under review when a guardian approves it; the server holds any device of that account", async () => {
  const fam = await reviewedFamily();
  const laptop = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore() });
  await laptop.logIn(fam.gran.email, PASSWORD);
  await fam.mum.approveDevice(fam.familyId, laptop.deviceId, sender);
  const { settings } = await fam.mum.api.getToySettings(fam.familyId, fam.toyId);
  assert.deepEqual([...reviewedDevices(settings)].sort(), [fam.gran.deviceId, laptop.deviceId].sort());
  const fromLaptop = await laptop.sendVoice(fam.familyId, [fam.toyId], audioSample(1000), {});
  assert.equal(await fam.toy.sync(), 0);
  assert.deepEqual((await fam.mum.listReviews(fam.familyId)).map((r) => r.messageId), [fromLaptop]);
  // Server check alone: a third device signed into the roster without touching the toy settings
  // (as an older app would) is held all the same, and must be sealed to a guardian.
  const phone = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore() });
  await phone.logIn(fam.gran.email, PASSWORD);
  const current = await fam.mum.roster(fam.familyId);
  await fam.mum.api.publishRoster(fam.familyId, signRoster(nextRosterBody(current, current.familyId, [...current.devices, rosterEntry(phone.keys, 'member', { sendToToy: true, hearChild: true })], Date.now()), fam.mum.keys));
  const roster = await phone.roster(fam.familyId);
  const seal = (withGuardian: boolean) =>
    sealEnvelope({
      kind: 'voice',
      id: newMessageId(secureRandom),
      familyId: roster.familyId,
      sender: phone.keys,
      rosterVersion: roster.version,
      createdAt: Date.now(),
      recipients: [fam.toy.keys, ...(withGuardian ? [fam.mum.keys] : [])].map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
      meta: {},
      payload: audioSample(900),
      random: secureRandom,
    });
  const bare = await seal(false);
  await phone.api.uploadBlob(fam.familyId, bare.envelope.blob!.hash, bare.blob!);
  await assert.rejects(phone.api.sendMessage(fam.familyId, bare.envelope), (e: unknown) => isApiError(e) && e.status === 400);
  const sealed = await seal(true);
  await phone.api.uploadBlob(fam.familyId, sealed.envelope.blob!.hash, sealed.blob!);
  await phone.api.sendMessage(fam.familyId, sealed.envelope);
  assert.equal(await fam.toy.sync(), 0);
  assert.deepEqual((await fam.mum.listReviews(fam.familyId)).map((r) => r.messageId), [fromLaptop, sealed.envelope.id]);
});
