/**
 * The body deadline of a write (issue #11, found in review): an upload or send whose body has not
 * fully arrived `writeBodyTimeoutMs` after it was admitted is answered 408 `request_timeout`, its
 * connection is closed, its write slot is freed, and nothing of it is stored (no blob row, no blob
 * file or temp file, no message). Real server on loopback, raw sockets that send half a body and then
 * nothing; the deadline is 300 ms, and the tests wait for the server's answer, never for a time. The
 * server admits one write at a time, so a write admitted after the cut shows the slot was freed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { blobKey } from '../messages/store.js';
import { expectStatus, family, pairToy, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { rawExchange, rawHead, type RawAnswer } from '../testing/raw-http.js';
import { peek, startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;

before(async () => {
  server = await startTestServer({
    admission: { maxInflightWrites: 1, retryAfterSeconds: 1, maxLagMs: 0, maxInflightDeliveries: 0, writeBodyTimeoutMs: 300 },
  });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
});
after(async () => {
  await server.close();
});

/**
 * Sends a request's head and the first half of its body on a raw socket, then nothing more; resolves
 * with the answer once the server has closed the connection.
 */
function halfSent(method: string, path: string, contentType: string, body: Buffer): Promise<RawAnswer> {
  const head = rawHead(server.url, method, path, {
    authorization: `Bearer ${fam.guardian.as.token}`,
    'x-burrow-device': fam.guardian.as.device,
    'content-type': contentType,
    'content-length': String(body.length),
  });
  return rawExchange(server.url, [head, body.subarray(0, body.length >> 1)]);
}

function assertCut(answer: RawAnswer): void {
  assert.equal(answer.status, 408);
  assert.equal(answer.headers.get('connection'), 'close');
  assert.equal(answer.json.error.code, 'request_timeout');
  assert.equal(answer.json.error.reason, 'body_too_slow');
  assert.match(answer.json.error.message, /did not arrive within 300 ms; nothing was stored/);
}

void test('an upload whose body is still arriving at the deadline is answered 408 and its connection closed; no blob row or file is left, and its slot is free again', async () => {
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(48 * 1024));
  assertCut(await halfSent('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, 'application/octet-stream', Buffer.from(voice.blob)));

  const row = await peek(() => server.db.selectFrom('blobs').select('hash').where('family_id', '=', fam.familyId).executeTakeFirst());
  assert.equal(row, undefined, 'no blob row');
  assert.equal(await server.blobs.has(blobKey(fam.familyId, voice.hash)), false, 'no blob');
  // Not even a temp file of an interrupted put (blobs/fs-blobs.ts writes one before its rename).
  const files = await readdir(join(server.dataDir, 'blobs', fam.familyId)).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  });
  assert.deepEqual(files, [], 'nothing in the family blob folder');

  // The one write slot was given back: the same upload, sent whole, is admitted and stored.
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'the upload sent whole');
  assert.equal(await server.blobs.has(blobKey(fam.familyId, voice.hash)), true);
});

void test('a send whose body is still arriving at the deadline is cut the same way and queues nothing; sent whole, it is delivered', async () => {
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(2000));
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201, 'upload');
  const body = Buffer.from(JSON.stringify({ envelope: voice.envelope }));
  assertCut(await halfSent('POST', `/v1/families/${fam.familyId}/messages`, 'application/json', body));
  const rows = await peek(() => server.db.selectFrom('messages').select('id').where('family_id', '=', fam.familyId).execute());
  assert.deepEqual(rows, [], 'the cut send queued nothing');

  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: voice.envelope } }), 201, 'the send sent whole');
  const inbox = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox?after=0&limit=10', toy.as);
  assert.deepEqual(inbox.json.messages.map((m) => m.envelope.id), [voice.envelope.id]);
});
