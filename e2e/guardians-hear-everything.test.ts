/**
 * Guardians hear everything said to and by their child (issue #14 item 7; docs/protocol.md §7), over
 * a real server and the headless toy's own store: a relative's message to the toy is sealed to every
 * guardian device of the roster too, so a guardian who did not send it opens it; the toy's answer is
 * sealed to every guardian (even one the roster does not mark hearChild), while relatives get only
 * what the roster allows them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Grant } from '@burrow/client';
import { audioSample, pairedFamily, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test("a relative's message reaches every guardian, and the toy's answer reaches every guardian; relatives see only what they may", async () => {
  const fam = await pairedFamily(world);
  const join = async (label: string, grant: Grant) => {
    const person = await world.guardian(label);
    const { requestId } = await person.requestToJoin((await fam.mum.invite(fam.familyId)).code);
    await fam.mum.approveJoinRequest(fam.familyId, requestId, grant);
    return person;
  };
  // Dad is a guardian the roster does not mark hearChild: the role alone makes him hear everything.
  const dad = await join('dad', { role: 'guardian', sendToToy: true, hearChild: false });
  const gran = await join('gran', { role: 'member', sendToToy: true, hearChild: false });
  const aunt = await join('aunt', { role: 'member', sendToToy: false, hearChild: true });
  const uncle = await join('uncle', { role: 'member', sendToToy: true, hearChild: true });

  const words = audioSample(3_000);
  const messageId = await gran.sendVoice(fam.familyId, [fam.toyId], words, { senderName: 'Grandma' });
  for (const guardian of [fam.mum, dad]) {
    const got = (await guardian.sync()).find((m) => m.messageId === messageId);
    assert.ok(got, 'a guardian who did not send it receives it');
    assert.deepEqual(got.audio, words);
    assert.equal(got.from, gran.deviceId);
    assert.equal(got.meta.senderName, 'Grandma');
  }
  for (const relative of [aunt, uncle]) assert.equal((await relative.sync()).some((m) => m.messageId === messageId), false, "a relative does not receive another relative's message");

  assert.equal(await fam.toy.sync(), 1);
  assert.deepEqual((await fam.toy.playNext())?.audio, words);
  const answer = audioSample(2_500);
  const answerId = await fam.toy.record(answer, { durationMs: 1200 });
  for (const listener of [fam.mum, dad, aunt, uncle]) {
    const got = (await listener.sync()).find((m) => m.messageId === answerId);
    assert.ok(got, 'every guardian and every relative who may hear the child gets the answer');
    assert.deepEqual(got.audio, answer);
  }
  assert.equal((await gran.sync()).some((m) => m.messageId === answerId), false, 'a relative without hearChild does not');
});
