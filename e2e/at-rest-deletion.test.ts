/**
 * After each kind of deletion (issue #13 item 2): a message deleted by its sender, a child profile,
 * an account, a whole family — the raw bytes at rest hold none of what was deleted. On SQLite that
 * is the database file, its WAL and the blob folder, read as files; on PostgreSQL a pg_dump and the
 * blob folder (dead tuples wait for VACUUM: docs/privacy.md, docs/operations.md "Erasure"). Each
 * marker is first found where it lives, so a scan that sees nothing cannot pass by accident.
 * The development outbox (mail written to the data folder when no SMTP server is set) is not data
 * at rest of the service: it stands in for the mail server, and is left out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PASSWORD, entry, expectStatus, family, pairToy, person, publish, type Family } from '../packages/server/src/testing/fixtures.js';
import { httpClient, type Call } from '../packages/server/src/testing/http.js';
import { startTestServer, type TestServer } from '../packages/server/src/testing/start-test-server.js';
import { sendVoice } from '../packages/server/src/erasure/test-support.js';

let server: TestServer;
let call: Call;
before(async () => {
  server = await startTestServer();
  call = httpClient(server.url);
});
after(async () => {
  await server.close();
});

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'outbox') continue;
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** The raw bytes at rest: every file of the data folder, and on PostgreSQL a dump of the database. */
function atRest(): [string, Buffer][] {
  const out: [string, Buffer][] = [...files(server.dataDir)].map((f) => [f, readFileSync(f)]);
  const database = server.config.database;
  if (database.kind === 'postgres') {
    const dump = spawnSync('pg_dump', ['--no-owner', database.url], { maxBuffer: 1 << 30 });
    assert.equal(dump.status, 0, dump.stderr.toString());
    out.push(['pg_dump', dump.stdout]);
  } else assert.ok(out.some(([f]) => f.endsWith('.db')), 'the SQLite file is read');
  return out;
}

/** Where each marker is found, as "label in file". */
function found(markers: Record<string, Buffer>): string[] {
  const hay = atRest();
  return Object.entries(markers).flatMap(([label, m]) => hay.filter(([, bytes]) => bytes.includes(m)).map(([f]) => `${label} in ${f}`));
}

/** Every marker is somewhere before the deletion (else the scan proves nothing); none is anywhere after. */
async function assertGone(markers: Record<string, Buffer>, erase: () => Promise<void>): Promise<void> {
  const before = found(markers);
  for (const label of Object.keys(markers)) assert.ok(before.some((h) => h.startsWith(`${label} in `)), `${label} is at rest before the deletion`);
  await erase();
  assert.deepEqual(found(markers), [], 'deleted data still at rest');
}

/** 48 characters from the middle of a stored text: ciphertext, unique to this row. */
const middle = (text: string): Buffer => Buffer.from(text.slice(Math.floor(text.length / 2) - 24, Math.floor(text.length / 2) + 24));

async function childProfile(fam: Family): Promise<string> {
  const row = await server.db.selectFrom('children').select('profile_ciphertext').where('id', '=', fam.childId).executeTakeFirstOrThrow();
  return row.profile_ciphertext;
}

void test('a message its sender deletes: no byte of its blob or envelope is left in the database, its WAL or the blob folder', async () => {
  const fam = await family(call);
  const gran = await person(call, 'gran');
  await publish(call, fam, [...fam.roster.devices, entry(gran.keys, 'member')]);
  const voice = await sendVoice(call, fam, gran, [fam.guardian.keys]);
  await assertGone(
    { blob: Buffer.from(voice.blob.subarray(100, 164)), signature: Buffer.from(voice.envelope.signature), meta: Buffer.from(voice.envelope.meta) },
    async () => {
      expectStatus(await call('DELETE', `/v1/messages/${voice.envelope.id}`, gran.as), 204, 'deleteMessage');
    },
  );
});

void test('a child profile a guardian deletes: its sealed profile is nowhere at rest', async () => {
  const fam = await family(call);
  await assertGone({ profile: middle(await childProfile(fam)) }, async () => {
    expectStatus(await call('DELETE', `/v1/families/${fam.familyId}/children/${fam.childId}`, fam.guardian.as), 204, 'deleteChild');
  });
});

void test('an account its owner deletes: its sealed address, password hash and session are nowhere at rest', async () => {
  const fam = await family(call);
  const grandpa = await person(call, 'grandpa');
  await publish(call, fam, [...fam.roster.devices, entry(grandpa.keys, 'member')]);
  const account = await server.db.selectFrom('accounts').select(['email_ciphertext', 'email_index', 'password_hash']).where('id', '=', grandpa.accountId).executeTakeFirstOrThrow();
  const session = await server.db.selectFrom('sessions').select('token_hash').where('account_id', '=', grandpa.accountId).executeTakeFirstOrThrow();
  assert.ok(account.email_ciphertext, 'the address is sealed');
  await assertGone(
    {
      'sealed address': middle(account.email_ciphertext),
      'address index': Buffer.from(account.email_index),
      'password hash': middle(account.password_hash),
      'session token hash': Buffer.from(session.token_hash),
    },
    async () => {
      expectStatus(await call('POST', '/v1/me/deletion', { token: grandpa.token, body: { password: PASSWORD } }), 204, 'deleteAccount');
    },
  );
});

void test('a family a guardian deletes: its messages, blobs, child profile and rosters are nowhere at rest', async () => {
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  const voice = await sendVoice(call, fam, fam.guardian, [toy.keys]);
  const profile = await childProfile(fam);
  // A second roster version, so an old one is deleted too.
  const firstRoster = Buffer.from(JSON.stringify(fam.roster.signature));
  await publish(call, fam, fam.roster.devices);
  await assertGone(
    {
      blob: Buffer.from(voice.blob.subarray(100, 164)),
      signature: Buffer.from(voice.envelope.signature),
      profile: middle(profile),
      'first roster': firstRoster,
      'current roster': Buffer.from(JSON.stringify(fam.roster.signature)),
    },
    async () => {
      expectStatus(await call('POST', `/v1/families/${fam.familyId}/deletion`, { ...fam.guardian.as, body: { password: PASSWORD } }), 204, 'deleteFamily');
    },
  );
});
