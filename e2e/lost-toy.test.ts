/**
 * A lost or stolen toy (issue #15 item 5; docs/safety.md): a guardian marks it lost while it is
 * offline; it leaves the roster at once, its pending messages are deleted, the family sees when it
 * last checked in; when the headless toy connects again it is refused and forgets everything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import { audioSample, eventually, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test('a toy marked lost leaves the roster and loses its queue at once, and wipes itself when it connects again', async () => {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-lost-toy-'));
  const lines: string[] = [];
  const start = () =>
    HeadlessToy.start({
      server: world.url,
      dataDir,
      player: () => Promise.resolve('memory'),
      recorder: fileRecorder(new URL('../packages/toy/assets/hello.wav', import.meta.url).pathname),
      log: (line) => lines.push(line),
    });
  let toy = await start();
  world.onClose(async () => {
    await toy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired(), 10_000);
  await mum.sendVoice(familyId, [toyId], audioSample(2_000), {});
  await eventually(async () => (await toy.device.unplayedCount()) === 1, 10_000);
  // Stolen: it goes offline; a message sent meanwhile waits on the server.
  await toy.stop();
  await eventually(async () => (await mum.api.listToys(familyId)).toys.find((t) => t.toyId === toyId)?.online === false, 10_000);
  const seen = (await mum.api.listToys(familyId)).toys.find((t) => t.toyId === toyId)?.lastSeenAt;
  assert.ok(typeof seen === 'number');
  await mum.sendVoice(familyId, [toyId], audioSample(2_000), {});

  const res = await mum.markToyLost(familyId, toyId);
  assert.equal(res.lastSeenAt, seen, 'the guardian is told when it last checked in');
  assert.deepEqual((await mum.api.listLostToys(familyId)).toys.map((t) => [t.toyId, t.childId, t.lastSeenAt]), [[toyId, childId, seen]]);
  assert.equal((await mum.api.getFamily(familyId)).roster?.devices.some((d) => d.id === toyId), false, 'out of the roster');
  assert.deepEqual((await mum.api.listToys(familyId)).toys, []);
  const queued = await world.server.db.selectFrom('message_recipients').select('device_id').where('device_id', '=', toyId).execute();
  assert.deepEqual(queued, [], 'its pending messages are deleted');

  // It comes back online: refused, it forgets the family, its queue and its keys.
  toy = await start();
  await eventually(() => Promise.resolve(lines.some((l) => l.includes('unpaired'))), 15_000);
  assert.equal(await toy.device.isPaired(), false);
  assert.equal(await toy.device.unplayedCount(), 0);
  assert.notEqual(toy.device.toyId, toyId, 'a new identity');
});
