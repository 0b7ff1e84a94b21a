/**
 * A send that landed although its caller saw an error (a 503 after the commit: a proxy timing out, a
 * node answering as it shut down) is retried by the client with the same envelope. The server
 * answers that retry `already_sent` (409), not the key-rotation `conflict`, and the client counts it
 * as delivered: no re-seal, no key error, one message on the toy. The sender is at its send-rate
 * limit by then (one message per window here), so the retry is not a 429 either.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { audioSample, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld({ rateLimits: { sendMessage: { max: 1, windowMs: 600_000 } } });
});
after(async () => {
  await world.close();
});

test('a send whose 201 was lost is retried, answered already_sent, and reported as sent once', async () => {
  const sends: string[] = [];
  let lost = false;
  // The guardian's network: the first send reaches the server and lands, but its answer is lost and
  // a 503 with Retry-After: 1 comes back instead, as from a proxy in front of the node.
  const flaky: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const res = await fetch(input, init);
    if (init?.method !== 'POST' || !new URL(url).pathname.endsWith('/messages')) return res;
    const body = await res.text();
    sends.push(
      `${String(res.status)} ${res.status === 201 ? '' : (JSON.parse(body) as { error: { code: string } }).error.code}`.trim(),
    );
    if (res.status === 201 && !lost) {
      lost = true;
      const unavailable = { error: { code: 'unavailable', message: 'Try again in 1 s.' } };
      return new Response(JSON.stringify(unavailable), {
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
      });
    }
    return new Response(body, {
      status: res.status,
      headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' },
    });
  };

  const mum = await world.guardian('mum', { fetch: flaky });
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  const toy = await world.toy();
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());

  const audio = audioSample(4000);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  // The one send landed; its retry was recognised as the same message (not a newer key, not a 429).
  assert.deepEqual(sends, ['201', '409 already_sent']);
  const rows = await world.server.db
    .selectFrom('messages')
    .select('id')
    .where('family_id', '=', familyId)
    .execute();
  assert.deepEqual(
    rows.map((r) => r.id),
    [messageId],
  );

  await toy.sync();
  const played = await toy.playNext();
  assert.ok(played);
  assert.equal(played.messageId, messageId);
  assert.deepEqual(played.audio, audio);
  assert.equal(await toy.playNext(), undefined);
});
