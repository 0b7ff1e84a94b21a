/**
 * Quiet hours, per toy, in the family's time zone, enforced by the toy from a guardian-signed record
 * (docs/protocol.md §10). The toy's clock is controlled: nothing plays and nothing is fetched during
 * the hours, and a server can neither forge nor silently lift them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isApiError } from '@burrow/client';
import { DEFAULT_VOLUME, reviewedDevices, settingsVolume, signToySettings } from '@burrow/protocol';
import { audioSample, pairedFamily, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

// Europe/Paris is UTC+1 in January: 21:00-07:00 there is 20:00-06:00 UTC.
const paris = (hhmm: string) => Date.parse(`2026-01-15T${hhmm}:00+01:00`);
const nightInParis = { start: 21 * 60, end: 7 * 60 };

function clock(start: number) {
  const c = { now: start };
  return Object.assign(() => c.now, { set: (t: number) => (c.now = t) });
}

test('a message arriving during quiet hours waits on the server and plays after they end', async () => {
  const now = clock(paris('21:30'));
  const fam = await pairedFamily(world, { clock: now });
  await fam.mum.setQuietHours(fam.familyId, fam.toyId, 'Europe/Paris', nightInParis);
  const audio = audioSample(3000);
  await fam.mum.sendVoice(fam.familyId, [fam.toyId], audio, {});
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.unplayedCount(), 0, 'the heart stays dark');
  assert.equal(await fam.toy.playNext(), undefined);
  now.set(paris('06:59') + 24 * 3600_000);
  assert.equal(await fam.toy.sync(), 0);
  now.set(paris('07:00') + 24 * 3600_000);
  assert.equal(await fam.toy.sync(), 1);
  assert.deepEqual((await fam.toy.playNext())?.audio, audio);
});

test('a message queued before quiet hours does not play during them', async () => {
  const now = clock(paris('20:50'));
  const fam = await pairedFamily(world, { clock: now });
  await fam.mum.setQuietHours(fam.familyId, fam.toyId, 'Europe/Paris', nightInParis);
  await fam.mum.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), {});
  assert.equal(await fam.toy.sync(), 1);
  now.set(paris('21:05'));
  assert.equal(await fam.toy.playNext(), undefined);
  now.set(paris('12:00') + 24 * 3600_000);
  assert.ok(await fam.toy.playNext());
});

test('only a guardian device sets quiet hours; the toy keeps them when a server withholds or forges settings', async () => {
  const now = clock(paris('22:00'));
  const state: { rewrite?: (body: unknown) => unknown } = {};
  const fetchImpl: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!state.rewrite || !url.endsWith('/v1/toys/me/settings')) return res;
    return new Response(JSON.stringify(state.rewrite(await res.json())), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const fam = await pairedFamily(world, { clock: now, fetch: fetchImpl });
  await fam.mum.setQuietHours(fam.familyId, fam.toyId, 'Europe/Paris', nightInParis);
  await fam.toy.sync();
  assert.equal(await fam.toy.isQuiet(), true);
  // A member cannot set them (server), and a record a member signs is refused (toy).
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await fam.mum.invite(fam.familyId)).code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, { role: 'member', sendToToy: true, hearChild: true });
  const byGran = signToySettings({ v: 1, familyId: fam.familyId, toyId: fam.toyId, version: 9, issuedAt: now(), timeZone: 'Europe/Paris', quietHours: null }, gran.keys);
  await assert.rejects(gran.api.putToySettings(fam.familyId, fam.toyId, byGran), (e: unknown) => isApiError(e) && e.status === 403);
  state.rewrite = () => ({ settings: byGran });
  await fam.toy.sync();
  assert.equal(await fam.toy.isQuiet(), true);
  // Withholding: the toy keeps the last record it verified.
  state.rewrite = () => ({ settings: null });
  await fam.mum.sendVoice(fam.familyId, [fam.toyId], audioSample(1500), {});
  assert.equal(await fam.toy.sync(), 0);
  assert.equal(await fam.toy.isQuiet(), true);
  state.rewrite = undefined;
  await fam.mum.setQuietHours(fam.familyId, fam.toyId, 'Europe/Paris', null);
  assert.equal(await fam.toy.sync(), 1);
});

test('quiet hours, volume and the review list travel in one signed record; changing one keeps the others; an older v1 record still works', async () => {
  const now = clock(paris('12:00'));
  const fam = await pairedFamily(world, { clock: now });
  // An older app signs a v1 record (quiet hours only): the toy takes it, at the default volume.
  const v1 = signToySettings({ v: 1, familyId: fam.familyId, toyId: fam.toyId, version: 1, issuedAt: now(), timeZone: 'Europe/Paris', quietHours: nightInParis }, fam.mum.keys);
  await fam.mum.api.putToySettings(fam.familyId, fam.toyId, v1);
  await fam.toy.sync();
  assert.equal(await fam.toy.volume(), DEFAULT_VOLUME);
  await fam.mum.setToySettings(fam.familyId, fam.toyId, { volume: 20, review: [fam.mum.deviceId] });
  await fam.mum.setQuietHours(fam.familyId, fam.toyId, 'Europe/Paris', null);
  const { settings } = await fam.mum.api.getToySettings(fam.familyId, fam.toyId);
  assert.equal(settings?.v, 2);
  assert.equal(settingsVolume(settings), 20);
  assert.deepEqual(reviewedDevices(settings), [fam.mum.deviceId]);
  assert.equal(settings?.quietHours, null);
  await fam.toy.sync();
  assert.equal(await fam.toy.volume(), 20);
  assert.equal(await fam.toy.isQuiet(), false);
});
