/**
 * Deliveries first (issue #11): while `maxInflightDeliveries` of the delivery side's requests (a
 * toy's inbox page, sync, blob download or receipt) are being answered, a new upload or send is
 * refused with 503 and Retry-After, and nothing of it is written; the toy's reads go on being
 * answered; once the delivery is done, writes are admitted again. Real server on loopback; the one
 * delivery is held deterministically by a receipt whose body is only half sent (its count starts
 * after authentication, before the body is read): no timing is involved.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { expectStatus, family, pairToy, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let call: Call;
let fam: Family;
let toy: Toy;

before(async () => {
  // The held receipt counts as long as the test needs (the hold's cap has its own test below).
  server = await startTestServer({ admission: { maxInflightWrites: 64, retryAfterSeconds: 2, maxLagMs: 0, maxInflightDeliveries: 1, maxDeliveryHoldMs: 600_000 } });
  call = httpClient(server.url);
  fam = await family(call);
  toy = await pairToy(call, fam);
});
after(async () => {
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** A receipt from the toy with half its body sent: a delivery being answered until `finish`. */
function halfReceipt(messageId: string) {
  const body = Buffer.from(JSON.stringify({ kind: 'delivered' }));
  let req: ClientRequest;
  const status = new Promise<number>((resolve, reject) => {
    req = request(`${server.url}/v1/messages/${messageId}/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${toy.token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write(body.subarray(0, 5));
  });
  status.catch(() => undefined);
  return {
    finish() {
      req.end(body.subarray(5));
      return status;
    },
  };
}

/** An upload whose bytes do not match its hash: 400 when admitted (nothing stored), 503 when refused. */
const probe = () => call('PUT', `/v1/families/${fam.familyId}/blobs/${sha(randomBytes(16))}`, { ...fam.guardian.as, raw: randomBytes(16) });

/** Probes until one is refused (the held receipt reached the server's count); at most `tries` probes. */
async function firstRefusal(tries = 500): Promise<Answer> {
  for (let i = 0; i < tries; i++) {
    const answer = await probe();
    if (answer.status === 503) return answer;
    expectStatus(answer, 400, 'a probe admitted');
  }
  assert.fail(`no write was refused in ${String(tries)} probes while a delivery was being answered`);
}

void test('while a delivery is being answered, uploads and sends are refused with 503 and Retry-After and nothing is written; reads go on; then writes are admitted', async () => {
  const first = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(2000));
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${first.hash}`, { ...fam.guardian.as, raw: first.blob }), 201, 'upload');
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: first.envelope } }), 201, 'send');

  const receipt = halfReceipt(first.envelope.id);
  const refusal = await firstRefusal();
  assert.equal(refusal.headers.get('retry-after'), '2');
  assert.equal((refusal.json as { error: { code: string } }).error.code, 'unavailable');

  const next = await sealedVoice(fam.guardian.keys, fam.roster, [toy.keys], randomBytes(2000));
  const upload = await call('PUT', `/v1/families/${fam.familyId}/blobs/${next.hash}`, { ...fam.guardian.as, raw: next.blob });
  expectStatus(upload, 503, 'an upload while a delivery is answered');
  assert.equal(upload.headers.get('retry-after'), '2');
  const blobRow = await server.db.selectFrom('blobs').select('hash').where('family_id', '=', fam.familyId).where('hash', '=', next.hash).executeTakeFirst();
  assert.equal(blobRow, undefined, 'the refused upload stored nothing');
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: next.envelope } }), 503, 'a send while a delivery is answered');
  const rows = await server.db.selectFrom('messages').select('id').where('family_id', '=', fam.familyId).execute();
  assert.deepEqual(rows.map((r) => r.id), [first.envelope.id], 'the refused send queued nothing');

  // The refusal comes before authentication: a write with no session is told the node is busy, without a session lookup.
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${next.hash}`, { raw: next.blob }), 503, 'an unauthenticated upload while refusing');

  // The delivery side is not refused: the toy reads its inbox and downloads the blob meanwhile.
  const inbox = await call<{ messages: { envelope: { id: string } }[] }>('GET', '/v1/inbox?after=0&limit=10', toy.as);
  expectStatus(inbox, 200, 'inbox while writes are refused');
  assert.deepEqual(inbox.json.messages.map((m) => m.envelope.id), [first.envelope.id]);
  const download = await call('GET', `/v1/messages/${first.envelope.id}/blob`, toy.as);
  expectStatus(download, 200, 'download while writes are refused');
  assert.deepEqual(new Uint8Array(download.bytes), new Uint8Array(first.blob));

  // The delivery done, the refused message goes through when sent again.
  assert.equal(await receipt.finish(), 204);
  expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${next.hash}`, { ...fam.guardian.as, raw: next.blob }), 201, 'retried upload');
  expectStatus(await call('POST', `/v1/families/${fam.familyId}/messages`, { ...fam.guardian.as, body: { envelope: next.envelope } }), 201, 'retried send');
  const after = await call<{ messages: unknown[] }>('GET', '/v1/inbox?after=0&limit=10', toy.as);
  assert.equal(after.json.messages.length, 2);
});
