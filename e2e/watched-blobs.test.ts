/**
 * The blob store is wrapped by the tripwires once, in app.ts, and every capability that reads blobs
 * gets that one watched store. Shown through the route that used to get the raw store: a guardian
 * listening to a held message before approving it (review/) reads the blob, and when that blob is a
 * canary the tripwire fires — the same as a read through messages/.
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

const sender: Grant = { role: 'member', sendToToy: true, hearChild: true };

void test('a canary blob read through the review route trips the tripwire: reviews read the watched store', async () => {
  const fam = await pairedFamily(world);
  const gran = await world.guardian('gran');
  const { requestId } = await gran.requestToJoin((await fam.mum.invite(fam.familyId)).code);
  await fam.mum.approveJoinRequest(fam.familyId, requestId, sender);
  await fam.mum.setReview(fam.familyId, fam.toyId, [gran.deviceId], true);
  const messageId = await gran.sendVoice(fam.familyId, [fam.toyId], audioSample(2000), { senderName: 'Gran' });

  const { services, db } = world.server;
  const row = await db.selectFrom('messages').select(['family_id', 'blob_hash']).where('id', '=', messageId).executeTakeFirstOrThrow();
  assert.ok(row.blob_hash, 'the held message has a blob');
  // Mark this real blob as a canary, as if the tripwires had planted it.
  await services.tripwires.honeychecker.addCanary({ kind: 'blob', id: `${row.family_id}/${row.blob_hash}` });
  const raised = () => services.alerts.metrics().raised['canary-read:critical'] ?? 0;
  assert.equal(raised(), 0);

  const [pending] = await fam.mum.listReviews(fam.familyId);
  assert.equal(pending?.messageId, messageId);
  await fam.mum.openReview(fam.familyId, pending);
  await services.tripwires.settled();
  assert.equal(raised(), 1, 'reading the canary blob through review/ fired the tripwire once');
});
