/**
 * A toy's wake-up is one round trip (issue #11): `ToyDevice.sync` — the headless toy's and the browser
 * toy simulator's — asks GET /v1/toys/me/sync once and gets newer rosters, deletion instructions, its
 * signed settings, its inbox, the messages released after review and its favourite instructions. Only the work a message itself
 * needs follows (its blob and its delivered receipt). The toy's network is watched through its
 * fetch; everything else is the real server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { audioSample, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

/** The toy's requests, as `METHOD /path` with ids replaced, from the moment `watching` is set. */
function watchedFetch() {
  const seen: string[] = [];
  const state = { watching: false };
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (state.watching)
      seen.push(
        `${init?.method ?? 'GET'} ${url.pathname.replace(/\/v1\/messages\/[^/]+/, '/v1/messages/:id')}`,
      );
    return fetch(input, init);
  };
  return { fetchFn, seen, state };
}

const SYNC = 'GET /v1/toys/me/sync';

test('a wake-up with nothing new is one request, favourites included; a message adds only its blob and receipt', async () => {
  const watch = watchedFetch();
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy({ fetch: watch.fetchFn });
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  // A settings change and a newer roster are waiting too: they come with the same answer.
  await mum.setToySettings(familyId, toyId, { volume: 40 });
  await mum.createChild(familyId, 'Leo');

  watch.state.watching = true;
  assert.equal(await toy.sync(), 0);
  assert.deepEqual(watch.seen, [SYNC]);
  assert.equal(await toy.volume(), 40);
  assert.equal(
    (await toy.roster())?.version,
    (
      await world.server.db
        .selectFrom('rosters')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('family_id', '=', familyId)
        .executeTakeFirstOrThrow()
    ).v,
  );

  const audio = audioSample(3000);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  watch.seen.length = 0;
  assert.equal(await toy.sync(), 1);
  assert.deepEqual(watch.seen, [SYNC, 'GET /v1/messages/:id/blob', 'POST /v1/messages/:id/receipts']);

  // A guardian keeps it as a favourite: the instruction comes with the sync's one answer (the blob is
  // the queued one), and a later wake-up with the favourite kept is still one request.
  await mum.setFavourite(familyId, toyId, messageId, true);
  watch.seen.length = 0;
  assert.equal(await toy.sync(), 0);
  assert.deepEqual(watch.seen, [SYNC]);
  assert.deepEqual((await toy.favourites()).map((f) => f.messageId), [messageId]);
  watch.seen.length = 0;
  assert.equal(await toy.sync(), 0);
  assert.deepEqual(watch.seen, [SYNC]);

  // A deletion instruction reaches the queued message (and the favourite) through the same single request.
  await mum.deleteMessage(familyId, messageId);
  watch.seen.length = 0;
  assert.equal(await toy.sync(), 0);
  assert.deepEqual(watch.seen, [SYNC]);
  watch.state.watching = false;
  assert.equal(await toy.playNext(), undefined);
});

test('the sync route answers only for a toy: a guardian’s session and no credentials are refused', async () => {
  const mum = await world.guardian('dad');
  const asPerson = await fetch(`${world.url}/v1/toys/me/sync`, {
    headers: { authorization: `Bearer ${mum.api.token!}`, 'x-burrow-device': mum.api.deviceId! },
  });
  assert.equal(asPerson.status, 401);
  const anonymous = await fetch(`${world.url}/v1/toys/me/sync`);
  assert.equal(anonymous.status, 401);
  const toy = await world.toy();
  const bad = await fetch(`${world.url}/v1/toys/me/sync?limit=0`, {
    headers: { authorization: `Bearer ${toy.api.token!}` },
  });
  assert.equal(bad.status, 400);
});
