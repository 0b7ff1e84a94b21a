/**
 * A guardian's device keeps a retired KEM key while a message waiting for its review is sealed to it
 * (docs/protocol.md §14.3, "People's devices"): past the grace period it can still open the review,
 * and erases the key once the review is decided.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, MemoryStore } from '@burrow/client';
import { secureRandom, toBase64url } from '@burrow/protocol';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const ROTATION = { intervalMs: 60_000, graceMs: 30_000 };

test('a guardian keeps a retired key a waiting review is sealed to past the grace period, opens the review, and erases the key once it is decided', async () => {
  const clock = { now: Date.now() };
  const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: world.url }), store: new MemoryStore(), clock: () => clock.now, rotation: ROTATION });
  await mum.signUp(`mum-${toBase64url(secureRandom(6))}@example.com`, PASSWORD);
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy();
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await mum.invite(familyId)).code);
  await mum.approveJoinRequest(familyId, requestId, { role: 'member', sendToToy: true, hearChild: true });
  await mum.setReview(familyId, toyId, [gran.deviceId], true);
  assert.equal((await mum.maintainKeys(familyId))?.rotated, false, 'the first pass starts the clock');

  // Grandma's message waits for review, sealed to mum's current key (epoch 0).
  const audio = audioSample(2_500);
  const messageId = await gran.sendVoice(familyId, [toyId], audio, { senderName: 'Gran' });

  // Mum's device rotates, then the grace period passes: the epoch-0 key is still needed.
  clock.now += ROTATION.intervalMs + 1_000;
  const rotated = await mum.maintainKeys(familyId);
  assert.deepEqual([rotated?.rotated, rotated?.epoch, rotated?.held], [true, 1, 2]);
  clock.now += ROTATION.graceMs + 60_000;
  const kept = await mum.maintainKeys(familyId, { force: false });
  assert.deepEqual(kept?.erased, [], 'the key a waiting review is sealed to is kept');

  const [pending] = await mum.listReviews(familyId);
  assert.equal(pending?.messageId, messageId);
  const opened = await mum.openReview(familyId, pending);
  assert.deepEqual(opened.audio, audio);

  // Decided: the next pass erases it.
  await mum.approveMessage(familyId, messageId);
  clock.now += 10 * 60_000;
  const after = await mum.maintainKeys(familyId);
  assert.ok(after?.erased.includes(0), `erased ${JSON.stringify(after?.erased)}`);
});
