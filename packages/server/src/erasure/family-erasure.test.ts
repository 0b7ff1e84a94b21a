/**
 * Deleting a child and a family (erasure/; the account half is in account-erasure.test.ts): re-authentication, the last-guardian rule,
 * the mails (a real SMTP sink), the roster change a guardian signs for a deleted member's devices,
 * the toys told, and — by scanning every table, the SQLite file with its WAL, and the blob folder —
 * nothing of what was deleted left behind. The audit trail is the one table not scanned: it keeps
 * ids and addresses (never content) until its retention period ends (docs/security.md "Erasure").
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { topics, type StreamEvent } from '../bus/index.js';
import {
  PASSWORD,
  entry,
  expectStatus,
  family,
  pairToy,
  person,
  publish,
  successor,
} from '../testing/fixtures.js';
import type { Call } from '../testing/http.js';
import type { SmtpSink } from '../testing/smtp-sink.js';
import type { TestServer } from '../testing/start-test-server.js';
import { everyRow, sendVoice, startMailingServer } from './test-support.js';

let server: TestServer;
let sink: SmtpSink;
let call: Call;
let close: (() => Promise<void>) | undefined;
before(async () => {
  ({ server, sink, call, close } = await startMailingServer());
});
after(async () => {
  await close?.();
});

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Files of the data folder (SQLite file, WAL, blobs) holding any of the markers. */
function filesHolding(markers: Buffer[]): string[] {
  return [...files(server.dataDir)].filter((path) => {
    const bytes = readFileSync(path);
    return markers.some((m) => bytes.includes(m));
  });
}

test('a guardian deletes a child: refused while a toy is paired to them, then the profile is gone', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const refused = await call<{ error: { message: string } }>(
    'DELETE',
    `/v1/families/${fam.familyId}/children/${fam.childId}`,
    fam.guardian.as,
  );
  expectStatus(refused, 409);
  assert.match(refused.json.error.message, /Unpair it first/);

  const next = successor(
    fam.roster,
    fam.roster.devices.filter((d) => d.id !== toy.toyId),
    fam.guardian.keys,
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/toys/${toy.toyId}/unpair`, {
      ...fam.guardian.as,
      body: { roster: next },
    }),
    200,
    'unpair',
  );
  fam.roster = next;
  expectStatus(
    await call('DELETE', `/v1/families/${fam.familyId}/children/${fam.childId}`, fam.guardian.as),
    204,
  );
  const view = await call<{ children: unknown[] }>('GET', `/v1/families/${fam.familyId}`, {
    token: fam.guardian.token,
  });
  assert.deepEqual(view.json.children, []);
  expectStatus(
    await call('DELETE', `/v1/families/${fam.familyId}/children/${fam.childId}`, fam.guardian.as),
    404,
    'twice',
  );
});

test('a guardian deletes the family: members mailed, toys told, and no row, WAL frame or blob holds any of it', async () => {
  const fam = await family(call);
  const uncle = await person(call, 'uncle');
  await publish(call, fam, [...fam.roster.devices, entry(uncle.keys, 'member')]);
  const toy = await pairToy(call, fam);
  const voice = await sendVoice(call, fam, fam.guardian, [toy.keys, uncle.keys]);
  const told: StreamEvent[] = [];
  const unsubscribe = server.bus.subscribe(topics.device(toy.toyId), (e) => told.push(e));

  // A member is not a guardian; a guardian must prove it is them.
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...uncle.as,
      body: { password: PASSWORD },
    }),
    403,
    'member',
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...fam.guardian.as,
      body: { password: 'wrong wrong wrong' },
    }),
    401,
    'password',
  );
  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, { ...fam.guardian.as, body: {} }),
    400,
    'no password',
  );
  expectStatus(
    await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }),
    200,
    'still there',
  );

  expectStatus(
    await call('POST', `/v1/families/${fam.familyId}/deletion`, {
      ...fam.guardian.as,
      body: { password: PASSWORD },
    }),
    204,
    'deleteFamily',
  );
  unsubscribe();
  assert.deepEqual(told, [{ type: 'unpaired' }]);
  expectStatus(await call('GET', '/v1/toys/me', toy.as), 401, 'toy credentials revoked');
  expectStatus(
    await call('GET', `/v1/families/${fam.familyId}`, { token: fam.guardian.token }),
    404,
    'family gone',
  );
  assert.match(
    (await sink.next(fam.guardian.email, /family was deleted/)).text,
    /You deleted your Burrow family/,
  );
  assert.match(
    (await sink.next(uncle.email, /family was deleted/)).text,
    /A guardian deleted your Burrow family/,
  );

  const rows = await everyRow(server);
  for (const id of [fam.familyId, fam.childId, toy.toyId, voice.envelope.id, voice.hash])
    assert.ok(!rows.includes(id), `a row still names ${id}`);
  // The accounts stay: people leave the family, not Burrow.
  expectStatus(await call('GET', '/v1/me', { token: uncle.token }), 200);
  // The ciphertext and the envelope's signature, in the raw files: database, WAL and blob folder.
  // (Ids are not markers here: the audit trail keeps them until its retention period ends.)
  const markers = [
    Buffer.from(voice.blob.subarray(100, 164)),
    Buffer.from(voice.envelope.signature),
    Buffer.from(JSON.stringify(fam.roster.signature)),
  ];
  assert.deepEqual(filesHolding(markers), [], 'a file of the data folder still holds the family');
});
