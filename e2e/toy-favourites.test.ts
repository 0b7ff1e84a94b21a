/**
 * Favourites on the toy (docs/protocol.md §18; issue #14 item 7), over a real server and the headless
 * toy's own store: a guardian's signed instruction makes the toy keep a message it already played,
 * and the paw gesture replays exactly those bytes, newest first, cycling; a forged, unauthorised or
 * replayed instruction from a compromised server is refused by the toy; the server refuses what the
 * toy would, and a sixth favourite on a toy of five slots.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isApiError } from '@burrow/client';
import { FAVOURITE_SLOTS, generateDeviceKeys, secureRandom, signFavourite, toBase64url, type FavouriteWire } from '@burrow/protocol';
import { audioSample, pairedFamily, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: unknown) => (isApiError(e) ? e.status : 0),
  );

/** Writes an instruction straight into the server's table, as a compromised server could. */
async function plant(familyId: string, f: FavouriteWire) {
  await world.server.db
    .insertInto('toy_favourites')
    .values({ family_id: familyId, toy_id: f.toyId, message_id: f.messageId, keep: f.keep ? 1 : 0, instruction_json: JSON.stringify(f), created_at: Date.now() })
    .execute();
}

test('a kept message survives playing and the paw replays its exact bytes, newest first, cycling; letting go forgets it', async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const first = audioSample(3_000);
  const second = audioSample(3_000);
  const firstId = await mum.sendVoice(familyId, [toyId], first, { senderName: 'Mum' });
  const secondId = await mum.sendVoice(familyId, [toyId], second, { senderName: 'Mum' });
  assert.equal(await toy.sync(), 2);
  assert.equal((await toy.playNext())?.messageId, firstId);
  assert.equal((await toy.playNext())?.messageId, secondId);
  assert.equal(await toy.replayFavourite(), undefined, 'nothing kept yet');

  assert.deepEqual(await mum.setFavourite(familyId, toyId, firstId, true), { toyId, kept: 1, slots: FAVOURITE_SLOTS });
  await toy.sync();
  assert.deepEqual(toy.events.filter((e) => e.type === 'favourite_kept'), [{ type: 'favourite_kept', messageId: firstId, kept: 1 }]);
  const replayed = await toy.replayFavourite();
  assert.equal(replayed?.messageId, firstId);
  assert.deepEqual(replayed.audio, first, 'the replay is the bytes the guardian sent');
  assert.equal(replayed.meta.senderName, 'Mum');

  await mum.setFavourite(familyId, toyId, secondId, true);
  await toy.sync();
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await toy.replayFavourite())?.messageId);
  assert.deepEqual(order, [secondId, firstId, secondId], 'the newest first, then cycling');
  assert.deepEqual((await mum.api.listFavourites(familyId)).favourites.map((f) => f.messageId), [firstId, secondId]);

  assert.equal((await mum.setFavourite(familyId, toyId, firstId, false)).kept, 1);
  await toy.sync();
  assert.deepEqual((await toy.favourites()).map((f) => f.messageId), [secondId]);
  assert.deepEqual((await toy.replayFavourite())?.audio, second);
  assert.equal(await toy.playNext(), undefined, 'a favourite is not put back in the queue of unplayed messages');
});

test('the toy refuses a forged, unauthorised or replayed instruction from a compromised server', async () => {
  const fam = await pairedFamily(world);
  const { mum, familyId, toy, toyId } = fam;
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await mum.invite(familyId)).code);
  await mum.approveJoinRequest(familyId, requestId, { role: 'member', sendToToy: true, hearChild: true });
  const messageId = await gran.sendVoice(familyId, [toyId], audioSample(2_000), { senderName: 'Grandma' });
  assert.equal(await toy.sync(), 1);
  await toy.playNext();

  // A relative may not keep favourites: the server refuses (403), and the toy would too.
  assert.equal(await status(gran.setFavourite(familyId, toyId, messageId, true)), 403);
  const at = { familyId, toyId, messageId, keep: true, issuedAt: Date.now() };
  const stranger = generateDeviceKeys(secureRandom);
  const genuine = signFavourite(at, mum.keys);
  const forged: FavouriteWire[] = [
    signFavourite(at, stranger), // not in the roster
    signFavourite(at, gran.keys), // a member, even the sender
    { ...signFavourite(at, stranger), signer: mum.deviceId }, // mum's name, another key
    { ...genuine, signature: toBase64url(new Uint8Array(64)) }, // unsigned
    { ...signFavourite({ ...at, keep: false }, mum.keys), keep: true }, // flipped after signing
  ];
  for (const f of forged) await plant(familyId, f);
  await toy.sync();
  assert.deepEqual(
    toy.events.filter((e) => e.type === 'favourite_refused').map((e) => (e as { reason: string }).reason),
    ['not_authorized', 'not_authorized', 'bad_signature', 'bad_signature', 'bad_signature'],
  );
  assert.equal(await toy.replayFavourite(), undefined, 'nothing was kept');

  // A genuine keep, a genuine let-go, then the server replays the old keep: the toy refuses it as stale.
  await plant(familyId, genuine);
  await plant(familyId, signFavourite({ ...at, keep: false, issuedAt: at.issuedAt + 1 }, mum.keys));
  await plant(familyId, genuine);
  await toy.sync();
  assert.deepEqual(toy.events.filter((e) => e.type === 'favourite_kept' || e.type === 'favourite_released').map((e) => e.type), ['favourite_kept', 'favourite_released']);
  assert.equal(toy.events.at(-1)?.type === 'favourite_refused' && (toy.events.at(-1) as { reason: string }).reason, 'stale');
  assert.equal((await toy.favourites()).length, 0);
});

test(`a toy keeps ${String(FAVOURITE_SLOTS)} favourites: the server refuses a sixth (409) and so does the toy`, async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const ids: string[] = [];
  for (let i = 0; i <= FAVOURITE_SLOTS; i++) ids.push(await mum.sendVoice(familyId, [toyId], audioSample(1_000), {}));
  for (let i = 0; i < FAVOURITE_SLOTS; i++) assert.equal((await mum.setFavourite(familyId, toyId, ids[i]!, true)).kept, i + 1);
  assert.equal(await status(mum.setFavourite(familyId, toyId, ids[FAVOURITE_SLOTS]!, true)), 409);
  assert.equal((await mum.setFavourite(familyId, toyId, ids[0]!, true)).kept, FAVOURITE_SLOTS, 'keeping one already kept is fine');
  await toy.sync();
  assert.equal((await toy.favourites()).length, FAVOURITE_SLOTS, 'kept even before they were played');
  // Past the server's check (as a compromised one could): the toy still keeps only five.
  await plant(familyId, signFavourite({ familyId, toyId, messageId: ids[FAVOURITE_SLOTS]!, keep: true, issuedAt: Date.now() }, mum.keys));
  await toy.sync();
  assert.equal((toy.events.at(-1) as { reason?: string }).reason, 'slots_full');
  assert.equal((await toy.favourites()).length, FAVOURITE_SLOTS);
  // The server is honest again: the planted row goes.
  await world.server.db.deleteFrom('toy_favourites').where('message_id', '=', ids[FAVOURITE_SLOTS]!).execute();
  // Letting one go frees a slot.
  assert.equal((await mum.setFavourite(familyId, toyId, ids[1]!, false)).kept, FAVOURITE_SLOTS - 1);
  assert.equal((await mum.setFavourite(familyId, toyId, ids[FAVOURITE_SLOTS]!, true)).kept, FAVOURITE_SLOTS);
  await toy.sync();
  assert.deepEqual((await toy.favourites()).map((f) => f.messageId).sort(), [ids[0], ...ids.slice(2)].sort());
});

test('the server refuses an instruction that is malformed, not the caller\'s, for another toy or a message not sent to the toy (400, nothing kept)', async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const messageId = await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  const answerId = await toy.record(audioSample(1_000), {});
  const other = await pairedFamily(world);
  const stranger = generateDeviceKeys(secureRandom);
  const at = { familyId, toyId, messageId, keep: true, issuedAt: Date.now() };
  assert.equal(await status(mum.api.setFavourite(familyId, { ...signFavourite(at, mum.keys), v: 2 } as unknown as FavouriteWire)), 400);
  assert.equal(await status(mum.api.setFavourite(familyId, signFavourite(at, stranger))), 400);
  assert.equal(await status(mum.api.setFavourite(familyId, signFavourite({ ...at, toyId: other.toyId }, mum.keys))), 400);
  assert.equal(await status(mum.api.setFavourite(familyId, signFavourite({ ...at, messageId: answerId }, mum.keys))), 400);
  assert.equal(await status(mum.api.setFavourite(other.familyId, signFavourite(at, mum.keys))), 404, 'not a member of that family');
  assert.deepEqual((await mum.api.listFavourites(familyId)).favourites, []);
});
