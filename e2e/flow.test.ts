import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { openStream, TOY_SLOTS, type SocketLike, type StreamEvent } from '@burrow/client';
import { filePlayer, fileRecorder, HeadlessToy } from '@burrow/toy';
import { audioSample, eventually, pairedFamily, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test('guardian → toy → guardian: a voice message and its answer arrive byte-identical, with receipts', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'burrow-flow-'));
  world.onClose(() => rmSync(scratch, { recursive: true, force: true }));
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  assert.equal((await mum.openRecord(familyId, (await mum.api.getFamily(familyId)).children[0]!.profile)).childName, 'Mia');

  const answer = audioSample(30_000);
  const answerFile = join(scratch, 'answer.ogg');
  (await import('node:fs')).writeFileSync(answerFile, answer);
  const toy = await HeadlessToy.start({ server: world.url, dataDir: join(scratch, 'toy'), player: filePlayer(join(scratch, 'played')), recorder: fileRecorder(answerFile), recordMimeType: 'audio/ogg' });
  world.onClose(() => toy.stop());

  // Mum's other screen listens on the stream for receipts.
  const events: StreamEvent[] = [];
  const stream = openStream({
    connect: () => new WebSocket(mum.api.streamUrl(), { headers: { authorization: `Bearer ${mum.api.token ?? ''}` } }) as unknown as SocketLike,
    onEvent: (e) => events.push(e),
  });
  world.onClose(() => stream.close());

  const code = await toy.holdPairingButton();
  const toyId = await mum.claimToy(familyId, childId, code);
  await eventually(() => toy.device.isPaired());

  const audio = audioSample(100_000);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum', mimeType: 'audio/ogg' });
  // The toy is woken over /v1/stream; nobody calls sync by hand here.
  await eventually(async () => (await toy.device.unplayedCount()) === 1);
  const played = await toy.playNext();
  assert.ok(played);
  assert.equal(played.messageId, messageId);
  assert.deepEqual(played.audio, audio);
  assert.deepEqual(new Uint8Array(readFileSync(played.output)), audio);
  assert.equal(played.meta.senderName, 'Mum');

  const sent = await eventually(async () => {
    const m = (await mum.api.listSent(0)).messages.find((x) => x.messageId === messageId);
    return m && m.receipts.some((r) => r.kind === 'played') && m.receipts.some((r) => r.kind === 'delivered') ? m : undefined;
  });
  assert.ok(sent.receipts.every((r) => r.deviceId === toyId));
  await eventually(() => Promise.resolve(events.some((e) => e.type === 'receipt' && e.messageId === messageId && e.kind === 'played')));

  const answerId = await toy.recordAnswer();
  const got = await eventually(async () => (await mum.sync()).find((m) => m.messageId === answerId));
  assert.deepEqual(got.audio, answer);
  assert.equal(got.from, toyId);
  await eventually(() => Promise.resolve(events.some((e) => e.type === 'message')));
});

test('a toy that was offline catches up by cursor when it comes back, keeping its keys and roster', async () => {
  const { mum, familyId, toy: first, toyId } = await pairedFamily(world);
  await mum.sendVoice(familyId, [toyId], audioSample(2000), {});
  await first.sync();
  await first.playNext();
  // Powered off; three messages arrive meanwhile.
  const sent = [audioSample(2000), audioSample(2000), audioSample(2000)];
  for (const a of sent) await mum.sendVoice(familyId, [toyId], a, {});
  // The same toy boots again from its data folder: same keys, same roster, cursor where it stopped.
  const toy = await world.toy({ dataDir: first.dataDir });
  assert.equal(toy.toyId, toyId);
  assert.equal((await toy.roster())?.version, (await first.roster())?.version);
  assert.equal(await toy.sync(), 3);
  for (const a of sent) assert.deepEqual((await toy.playNext())?.audio, a);
  assert.equal(await toy.playNext(), undefined);
});

test('the toy keeps at most five unplayed messages; the rest wait on the server', async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const sent: Uint8Array[] = [];
  for (let i = 0; i < TOY_SLOTS + 2; i++) {
    sent.push(audioSample(1000));
    await mum.sendVoice(familyId, [toyId], sent[i]!, {});
  }
  await toy.sync();
  assert.equal(await toy.unplayedCount(), TOY_SLOTS);
  assert.deepEqual((await toy.playNext())?.audio, sent[0]);
  await toy.sync();
  assert.equal(await toy.unplayedCount(), TOY_SLOTS);
  const rest: Uint8Array[] = [];
  for (let m = await toy.playNext(); m; m = await toy.playNext()) {
    rest.push(m.audio);
    await toy.sync();
  }
  assert.deepEqual(rest, sent.slice(1));
});
