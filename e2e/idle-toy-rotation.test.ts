/**
 * The headless toy rotates and erases its message key with nobody doing anything (docs/protocol.md
 * §14.3): no message, no wake-up, no call from the test — only its own maintenance timer
 * (HeadlessToy, `keyMaintenanceMs`). On a short schedule in real time (a few seconds), it publishes
 * new keys, erases the old ones after the grace period, and then nothing in its data folder opens a
 * message copied from the server before; a message sent afterwards still reaches it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ToyEvent } from '@burrow/client';
import { parseEnvelope } from '@burrow/protocol';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import { opensWith, storedSecrets } from './stolen-keys.js';
import { audioSample, eventually, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test('an idle headless toy rotates and erases on its own timer; then nothing it stores opens a message copied before', { timeout: 300_000 }, async () => {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-idle-rotation-'));
  const events: ToyEvent[] = [];
  const toy = await HeadlessToy.start({
    server: world.url,
    dataDir,
    player: () => Promise.resolve('memory'),
    recorder: fileRecorder(new URL('../packages/toy/assets/hello.wav', import.meta.url).pathname),
    onEvent: (e) => events.push(e),
    // Seconds instead of a week and two days: its timer then runs every second (min(interval, grace) / 8, at least 1 s).
    rotation: { intervalMs: 4_000, graceMs: 4_000 },
  });
  world.onClose(async () => {
    await toy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired(), 30_000);

  // A message arrives by wake-up and the child plays it; an attacker copies it from the server.
  const id = await mum.sendVoice(familyId, [toyId], audioSample(3_000), { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, 30_000);
  assert.ok(await toy.playNext());
  const row = await world.server.db.selectFrom('messages').select('envelope').where('id', '=', id).executeTakeFirstOrThrow();
  const copy = { envelope: parseEnvelope(JSON.parse(row.envelope)), blob: await mum.api.downloadMessageBlob(id) };
  const keys = toy.device.keys;
  const opens = async () => (await Promise.all(storedSecrets(dataDir).map((s) => opensWith(copy.envelope, copy.blob, keys, s)))).includes(true);
  assert.equal(await opens(), true, 'stolen now, the toy would open the copy');
  const sealedBy = (await toy.device.keyStatus()).kemEpoch;

  // Nobody does anything: the toy's own timer rotates, publishes and, after the grace, erases.
  const erased = () => new Set(events.flatMap((e) => (e.type === 'keys_erased' ? e.epochs : [])));
  await eventually(() => Promise.resolve([...Array(sealedBy + 1).keys()].every((epoch) => erased().has(epoch))), 120_000);
  assert.ok(events.some((e) => e.type === 'key_rotated'));
  const current = (await toy.device.keyStatus()).kemEpoch;
  assert.ok(current > sealedBy);
  const published = (await mum.api.listKemKeys(familyId)).records.find((r) => r.deviceId === toyId);
  assert.ok(published && published.epoch > sealedBy, 'the toy published its newer keys');

  // Stolen now, every 32-byte value in its data folder opens nothing copied before.
  assert.equal(await opens(), false, 'the copied message opens with what the toy stores');
  // It is still the same toy: a message sent now is sealed to its newest key, reaches it and plays.
  const later = audioSample(2_000);
  await mum.sendVoice(familyId, [toyId], later, { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, 30_000);
  assert.deepEqual((await toy.playNext())?.audio, later);
});
