/**
 * A toy drops an unplayed message its sender or a guardian deleted (docs/protocol.md §16; issue #13
 * item 2), on the headless toy's own store over a real server: the deleting device signs an
 * instruction, the server keeps it for the family's toys, and the toy verifies it against the roster
 * it holds. A compromised server's forged or unauthorised instruction is refused and the message
 * still plays; the server refuses an instruction that is not the caller's, or names another message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError } from '@burrow/client';
import { generateDeviceKeys, secureRandom, signDeletion, toBase64url, type DeletionWire } from '@burrow/protocol';
import { audioSample, pairedFamily, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

test('a guardian deletes a queued message: the toy drops it unplayed and plays the next', async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const first = await mum.sendVoice(familyId, [toyId], audioSample(2_000), { senderName: 'Mum' });
  const second = audioSample(2_000);
  const secondId = await mum.sendVoice(familyId, [toyId], second, { senderName: 'Mum' });
  assert.equal(await toy.sync(), 2);
  assert.equal(await toy.unplayedCount(), 2);

  await mum.deleteMessage(familyId, first);
  await toy.sync();
  assert.deepEqual(toy.events.filter((e) => e.type === 'dropped'), [{ type: 'dropped', messageId: first, unplayed: 1 }]);
  const played = await toy.playNext();
  assert.equal(played?.messageId, secondId);
  assert.deepEqual(played.audio, second);
  assert.equal(await toy.playNext(), undefined, 'the deleted message never plays');
  // The instruction is seen once: a later sync changes nothing.
  await toy.sync();
  assert.equal(toy.events.filter((e) => e.type === 'dropped').length, 1);
});

test("a forged or unauthorised instruction from a compromised server is refused and the message still plays", async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const audio = audioSample(2_000);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, {});
  assert.equal(await toy.sync(), 1);
  const stranger = generateDeviceKeys(secureRandom);
  const genuine = signDeletion({ familyId, messageId, issuedAt: Date.now() }, mum.keys);
  const forged: DeletionWire[] = [
    signDeletion({ familyId, messageId, issuedAt: Date.now() }, stranger), // not in the roster
    { ...signDeletion({ familyId, messageId, issuedAt: Date.now() }, stranger), signer: mum.deviceId }, // mum's name, another key
    { ...genuine, signature: toBase64url(new Uint8Array(64)) }, // unsigned
    { ...genuine, issuedAt: genuine.issuedAt + 1 }, // changed after signing
  ];
  // The server writes them straight into its table, as a compromised one could.
  for (const d of forged)
    await world.server.db
      .insertInto('message_deletions')
      .values({ family_id: familyId, message_id: messageId, instruction_json: JSON.stringify(d), created_at: Date.now() })
      .execute();
  await toy.sync();
  assert.deepEqual(
    toy.events.filter((e) => e.type === 'deletion_refused').map((e) => (e as { reason: string }).reason),
    ['not_authorized', 'bad_signature', 'bad_signature', 'bad_signature'],
  );
  assert.equal(toy.events.some((e) => e.type === 'dropped'), false);
  assert.deepEqual((await toy.playNext())?.audio, audio);
});

test('the server refuses an instruction not signed by the caller or naming another message (400, nothing deleted)', async () => {
  const { mum, familyId, toy, toyId } = await pairedFamily(world);
  const messageId = await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  const other = await mum.sendVoice(familyId, [toyId], audioSample(1_000), {});
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 204,
      (e: unknown) => (e instanceof ApiError ? e.status : 0),
    );
  const stranger = generateDeviceKeys(secureRandom);
  assert.equal(await status(mum.api.deleteMessage(messageId, signDeletion({ familyId, messageId, issuedAt: 1 }, stranger))), 400);
  assert.equal(await status(mum.api.deleteMessage(messageId, signDeletion({ familyId, messageId: other, issuedAt: 1 }, mum.keys))), 400);
  assert.equal(await status(mum.api.request('DELETE', `/v1/messages/${messageId}`, { instruction: { v: 9 } })), 400);
  assert.equal(await status(mum.api.request('DELETE', `/v1/messages/${messageId}`, [1])), 400);
  const left = await world.server.db.selectFrom('messages').select('id').where('family_id', '=', familyId).execute();
  assert.equal(left.length, 2, 'nothing deleted');
  assert.equal((await world.server.db.selectFrom('message_deletions').select('seq').where('family_id', '=', familyId).execute()).length, 0);
  // Without an instruction the server still deletes its copy (older clients); the toy is not told.
  assert.equal(await status(mum.api.deleteMessage(messageId)), 204);
  assert.equal(await toy.sync(), 1, 'only the other message reaches the toy');
});
