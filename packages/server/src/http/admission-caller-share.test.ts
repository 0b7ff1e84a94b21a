/**
 * A caller's share of the write slots (issue #11, found in review): one signed-in client that starts
 * uploads and sends their bodies slowly, or half, holds at most `maxInflightWritesPerCaller` of the
 * node's slots. Past its share its uploads and sends are refused with 503 and Retry-After, from any of
 * its account's devices, and nothing of them is stored; another caller is still admitted. Real server
 * on loopback; the share is held deterministically by uploads whose bodies are only half sent (the
 * body deadline is set far beyond the test), so no timing is involved.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { generateDeviceKeys, secureRandom } from '@burrow/protocol';
import { blobKey } from '../messages/store.js';
import { deviceKeysBody, expectStatus, family, pairToy, sealedVoice, type Family, type Toy } from '../testing/fixtures.js';
import { httpClient, type Answer, type Call } from '../testing/http.js';
import { halfUpload, type HalfUpload } from '../testing/raw-http.js';
import { peek, startTestServer, type TestServer } from '../testing/start-test-server.js';

const SHARE = 2;

let server: TestServer;
let call: Call;
/** The caller that holds its share. */
let greedy: Family;
/** Another device of the same account: the share is the account's, not the device's. */
let greedyOtherDevice: { token: string; device: string };
/** Another family's guardian: still admitted. */
let other: Family;
let toy: Toy;
let otherToy: Toy;
/** Uploads a failed test left open: dropped before the server closes (it waits for open connections). */
const open = new Set<{ abort(): void }>();

before(async () => {
  server = await startTestServer({
    admission: { maxInflightWrites: 64, retryAfterSeconds: 2, maxLagMs: 0, maxInflightDeliveries: 0, maxInflightWritesPerCaller: SHARE, writeBodyTimeoutMs: 600_000 },
  });
  call = httpClient(server.url);
  greedy = await family(call);
  other = await family(call);
  toy = await pairToy(call, greedy);
  otherToy = await pairToy(call, other);
  const keys = generateDeviceKeys(secureRandom);
  expectStatus(await call('POST', '/v1/devices', { token: greedy.guardian.token, body: deviceKeysBody(keys, 'device') }), 201, 'registerDevice');
  greedyOtherDevice = { token: greedy.guardian.token, device: keys.deviceId };
});
after(async () => {
  for (const upload of open) upload.abort();
  await server.close();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');

/** An upload of `blob` by the greedy guardian with half its body sent: it holds a slot until `finish`. */
function halfUploadByGreedy(blob: Uint8Array): HalfUpload {
  const half = halfUpload(server.url, greedy.guardian.as, greedy.familyId, blob);
  const upload = {
    answered: () => half.answered(),
    finish() {
      open.delete(upload);
      return half.finish();
    },
    abort() {
      half.abort();
      open.delete(upload);
    },
  };
  open.add(upload);
  return upload;
}

/** An upload whose bytes do not match its hash: 400 when admitted (nothing stored), 503 when refused. */
const probe = (as: { token: string; device: string }, familyId: string) =>
  call('PUT', `/v1/families/${familyId}/blobs/${sha(randomBytes(16))}`, { ...as, raw: randomBytes(16) });

/**
 * Starts SHARE half-sent uploads and waits until they hold the greedy caller's share, which its first
 * refused probe shows. A probe can take a slot before one of the uploads (their auth still running):
 * that upload is then refused, and all are dropped and started again. Without a share no probe is
 * ever refused: the test fails after `tries` probes.
 */
async function holdTheShare(blobs: Uint8Array[], tries = 500): Promise<{ holders: HalfUpload[]; refusal: Answer }> {
  for (let probes = 0; probes < tries; ) {
    const holders = blobs.map(halfUploadByGreedy);
    while (!holders.some((h) => h.answered()) && probes++ < tries) {
      const answer = await probe(greedy.guardian.as, greedy.familyId);
      if (answer.status === 503 && !holders.some((h) => h.answered())) return { holders, refusal: answer };
      if (answer.status !== 503) expectStatus(answer, 400, 'a probe admitted');
    }
    for (const h of holders) h.abort();
  }
  assert.fail(`no write of the caller was refused in ${String(tries)} probes while it held ${String(SHARE)} half-sent uploads`);
}

async function stored(familyId: string, hash: string): Promise<{ row: boolean; bytes: boolean }> {
  const row = await peek(() => server.db.selectFrom('blobs').select('hash').where('family_id', '=', familyId).where('hash', '=', hash).executeTakeFirst());
  return { row: row !== undefined, bytes: await server.blobs.has(blobKey(familyId, hash)) };
}

void test('a caller holding its share of write slots with half-sent uploads is refused more, from any of its devices, while another caller is admitted', async () => {
  const held = await Promise.all([0, 1].map(() => sealedVoice(greedy.guardian.keys, greedy.roster, [toy.keys], randomBytes(48 * 1024))));
  const { holders, refusal } = await holdTheShare(held.map((m) => m.blob));
  assert.equal(refusal.headers.get('retry-after'), '2');
  const error = (refusal.json as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'unavailable');
  assert.match(error.message, /already has 2 uploads and sends in progress/);

  // The greedy caller's next upload and send are refused, and nothing of them is stored.
  const next = await sealedVoice(greedy.guardian.keys, greedy.roster, [toy.keys], randomBytes(4000));
  const upload = await call('PUT', `/v1/families/${greedy.familyId}/blobs/${next.hash}`, { ...greedy.guardian.as, raw: next.blob });
  expectStatus(upload, 503, 'an upload past the caller share');
  assert.equal(upload.headers.get('retry-after'), '2');
  assert.deepEqual(await stored(greedy.familyId, next.hash), { row: false, bytes: false });
  expectStatus(await call('POST', `/v1/families/${greedy.familyId}/messages`, { ...greedy.guardian.as, body: { envelope: held[0]!.envelope } }), 503, 'a send past the caller share');
  const rows = await peek(() => server.db.selectFrom('messages').select('seq').where('family_id', '=', greedy.familyId).execute());
  assert.equal(rows.length, 0, 'the refused send queued nothing');
  // Another device of the same account gets no share of its own.
  expectStatus(await probe(greedyOtherDevice, greedy.familyId), 503, 'the same account from another device');

  // Another caller is admitted meanwhile: its upload and send go through.
  const theirs = await sealedVoice(other.guardian.keys, other.roster, [otherToy.keys], randomBytes(4000));
  expectStatus(await call('PUT', `/v1/families/${other.familyId}/blobs/${theirs.hash}`, { ...other.guardian.as, raw: theirs.blob }), 201, 'another caller uploads');
  assert.deepEqual(await stored(other.familyId, theirs.hash), { row: true, bytes: true });
  expectStatus(await call('POST', `/v1/families/${other.familyId}/messages`, { ...other.guardian.as, body: { envelope: theirs.envelope } }), 201, 'another caller sends');

  // The held uploads complete normally; then the greedy caller's refused upload goes through.
  assert.deepEqual(await Promise.all(holders.map((h) => h.finish())), [201, 201]);
  expectStatus(await call('PUT', `/v1/families/${greedy.familyId}/blobs/${next.hash}`, { ...greedy.guardian.as, raw: next.blob }), 201, 'the refused upload, retried');
  assert.deepEqual(await stored(greedy.familyId, next.hash), { row: true, bytes: true });
});
