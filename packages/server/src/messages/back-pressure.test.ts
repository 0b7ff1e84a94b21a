/**
 * Back-pressure (issue #11): past the node's admission limit on durable writes, an upload or a send is
 * refused at once with 503 `unavailable` and Retry-After, and nothing of it is written. The limit is
 * set to one write here, and the one slot is held deterministically by an upload whose body is only
 * half sent: no timing is involved.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { expectStatus, family, pairToy, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call } from '../testing/http.js';
import { halfUpload, type HalfUpload } from '../testing/raw-http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { blobKey } from './store.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;

before(async () => {
  server = await startTestServer({ admission: { maxInflightWrites: 1, retryAfterSeconds: 2, maxLagMs: 0 } });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** An upload whose body does not match its hash: stores nothing whether admitted (400) or refused (503). */
const probe = () => call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(randomBytes(16))}`, { ...fam.guardian.as, raw: randomBytes(16) });

/**
 * Starts a half-sent upload and waits until the server holds its slot, which the first refused probe
 * shows. A probe can take the slot first (the upload's auth still running); the upload is then
 * refused, and a new one tries again.
 */
async function holdTheSlot(blob: Uint8Array): Promise<{ slot: HalfUpload; refusal: Answer }> {
  for (;;) {
    const slot = halfUpload(server.url, fam.guardian.as, fam.familyId, blob);
    while (!slot.answered()) {
      const answer = await probe();
      if (answer.status === 503 && !slot.answered()) return { slot, refusal: answer };
      if (answer.status !== 503) expectStatus(answer, 400, 'a probe admitted');
    }
    // Refused with half its body sent, the upload's connection stays open and held the server's
    // close for ~72 s (seen on PostgreSQL): drop it before the next try.
    slot.abort();
  }
}

async function stored(hash: string): Promise<{ row: boolean; bytes: boolean }> {
  const row = await server.db.selectFrom('blobs').select('hash').where('family_id', '=', fam.familyId).where('hash', '=', hash).executeTakeFirst();
  return { row: row !== undefined, bytes: await server.blobs.has(blobKey(fam.familyId, hash)) };
}

test('past the admission limit an upload and a send are refused at once with 503 and Retry-After, and nothing is written', async () => {
  const holder = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(48 * 1024));
  const refused = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(4000));
  const { slot, refusal } = await holdTheSlot(holder.blob);
  assert.equal(refusal.headers.get('retry-after'), '2');
  assert.equal((refusal.json as { error: { code: string } }).error.code, 'unavailable');

  const upload = await call('PUT', `/v1/families/${fam.familyId}/blobs/${refused.hash}`, { ...fam.guardian.as, raw: refused.blob });
  expectStatus(upload, 503, 'upload past the limit');
  assert.equal(upload.headers.get('retry-after'), '2');
  assert.match(upload.text, /busy/);
  assert.deepEqual(await stored(refused.hash), { row: false, bytes: false });

  const send = await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: holder.envelope } });
  expectStatus(send, 503, 'send past the limit');
  assert.equal(send.headers.get('retry-after'), '2');
  const rows = await server.db.selectFrom('messages').select('seq').where('family_id', '=', fam.familyId).execute();
  assert.equal(rows.length, 0, 'a refused send queued nothing');

  // The write that held the slot completes normally; then the refused ones go through when retried.
  assert.equal(await slot.finish(), 201);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${refused.hash}`, { ...fam.guardian.as, raw: refused.blob }), 201, 'retried upload');
  assert.deepEqual(await stored(refused.hash), { row: true, bytes: true });
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: holder.envelope } }), 201, 'retried send');
    const inbox = await call<{ messages: unknown[] }>('GET', '/v1/inbox?after=0&limit=10', toy.as);;
  assert.equal(inbox.json.messages.length, 1);
});

test('a client that drops its connection mid-upload gives its slot back', async () => {
  const { slot } = await holdTheSlot(randomBytes(40_000));
  slot.abort();
  // Admitted again once the server saw the connection close: a probe is then a 400, not a 503.
  for (;;) {
    const answer = await probe();
    if (answer.status === 400) break;
    expectStatus(answer, 503, 'while the dropped upload still held the slot');
  }
});
