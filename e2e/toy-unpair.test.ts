/**
 * Unpairing the headless toy (the one a Raspberry Pi runs): a guardian's device signs a roster
 * without it; the toy hears it on its stream, forgets the family, its queue and its own keys, and
 * comes back as a new, unpaired toy that pairs again with the button and a fresh code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient, isApiError } from '@burrow/client';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import { audioSample, eventually, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test('an unpaired headless toy wipes itself, its old token stops working, and it pairs again', async () => {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const lines: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-unpair-toy-'));
  const toy = await HeadlessToy.start({
    server: world.url,
    dataDir,
    player: () => Promise.resolve('memory'),
    recorder: fileRecorder(new URL('../packages/toy/assets/hello.wav', import.meta.url).pathname),
    log: (line) => lines.push(line),
  });
  world.onClose(async () => {
    await toy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired(), 10_000);
  const oldToken = toy.device.api.token!;

  await mum.sendVoice(familyId, [toyId], audioSample(3000), { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, 10_000);

  await mum.unpairToy(familyId, toyId);
  // It says so once it has wiped itself and registered its new keys.
  await eventually(() => Promise.resolve(lines.some((l) => l.includes('unpaired'))), 10_000);
  assert.equal(await toy.device.isPaired(), false);
  assert.notEqual(toy.device.toyId, toyId, 'a new identity');
  assert.equal(await toy.device.unplayedCount(), 0, 'its queue is gone');
  await assert.rejects(new ApiClient({ baseUrl: world.url, token: oldToken }).listMessages(), (e: unknown) => isApiError(e, 'unauthenticated'));
  const family = await mum.api.getFamily(familyId);
  assert.ok(!family.roster?.devices.some((d) => d.id === toyId), 'the roster no longer lists it');

  const newId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  assert.equal(newId, toy.device.toyId);
  await eventually(() => toy.device.isPaired(), 10_000);
  const audio = audioSample(2500);
  await mum.sendVoice(familyId, [newId], audio, { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, 10_000);
  assert.deepEqual((await toy.playNext())?.audio, audio);
});
