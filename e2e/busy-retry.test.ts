/**
 * A busy server's refusal (503 `unavailable` with Retry-After, http/admission.ts) is absorbed by the
 * client: a guardian's voice message whose upload and send are each refused once is sent again after
 * the wait and arrives once. The server admits one write at a time; the slot is held
 * deterministically by a half-sent upload, and let go just before the client's second attempt, so no
 * timing decides the outcome.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { halfUpload } from '../packages/server/src/testing/raw-http.js';
import { audioSample, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld({ admission: { maxInflightWrites: 1, retryAfterSeconds: 1, maxLagMs: 0 } });
});
after(async () => {
  await world.close();
});

interface Auth {
  token: string;
  device: string;
  familyId: string;
}


/** Holds the slot: a probe (an upload whose bytes do not match its hash, 400 when admitted) is refused. */
async function holdTheSlot(auth: Auth): Promise<{ finish(): Promise<number> }> {
  for (;;) {
    const slot = halfUpload(world.url, auth, auth.familyId, randomBytes(40_000));
    while (!slot.answered()) {
      const probe = await fetch(`${world.url}/v1/families/${auth.familyId}/blobs/${createHash('sha256').update(randomBytes(8)).digest('base64url')}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${auth.token}`, 'x-burrow-device': auth.device, 'content-type': 'application/octet-stream' },
        body: randomBytes(16),
      });
      await probe.arrayBuffer();
      if (probe.status === 503 && !slot.answered()) return slot;
      assert.ok(probe.status === 503 || probe.status === 400, `probe answered ${String(probe.status)}`);
    }
    // A probe took the slot first and this upload was refused: its half-sent body would keep the
    // connection (and the server's close) waiting, so it is dropped before the next try.
    slot.abort();
  }
}

test('an upload and a send refused by a busy server are sent again after Retry-After, and the message arrives once', async () => {
  const signedIn: { auth?: Auth } = {};
  let held: { finish(): Promise<number> } | undefined;
  const writes: string[] = [];
  const refused = new Set<string>();
  // The guardian's fetch: before a write's first attempt the slot is taken, before its retry let go.
  const spy: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const key = `${method} ${new URL(url).pathname.replace(/blobs\/.*/, 'blobs/:hash')}`;
    const auth = signedIn.auth;
    const write = auth !== undefined && (method === 'PUT' || method === 'POST') && /\/(blobs\/|messages$)/.test(key);
    if (write && !refused.has(key)) held = await holdTheSlot(auth);
    else if (write && held) assert.equal(await held.finish(), 201);
    const res = await fetch(input, init);
    if (write) writes.push(`${key} ${String(res.status)}`);
    if (write && res.status === 503) refused.add(key);
    return res;
  };

  const mum = await world.guardian('mum', { fetch: spy });
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy();
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  signedIn.auth = { token: mum.api.token!, device: mum.api.deviceId!, familyId };

  const audio = audioSample(4000);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  const path = `/v1/families/${familyId}`;
  assert.deepEqual(writes, [`PUT ${path}/blobs/:hash 503`, `PUT ${path}/blobs/:hash 201`, `POST ${path}/messages 503`, `POST ${path}/messages 201`]);

  const rows = await world.server.db.selectFrom('messages').select('id').where('family_id', '=', familyId).execute();
  assert.deepEqual(rows.map((r) => r.id), [messageId]);
  await toy.sync();
  const played = await toy.playNext();
  assert.ok(played);
  assert.equal(played.messageId, messageId);
  assert.deepEqual(played.audio, audio);
});
