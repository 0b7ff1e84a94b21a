/**
 * The canary family cannot be told apart from a real one by its rows (STYLE.md 13): a family made
 * through the HTTP API the way the app makes it (sign-up, device, genesis roster, child, toy paired
 * with the real pairing flow, a voice message as the app seals it) and the planted canary family are
 * compared table by table and column by column — the same rows, the same columns null or not, and
 * the same shape of every value: integers by digit count, strings by format (hex, base64url, pairing
 * alphabet, …) and length, JSON (rosters, envelopes, sealed records) key by key. Sealed metadata
 * holds names, whose length varies between real families too: its length is compared within a few
 * characters.
 * Runs on the test database (SQLite, or PostgreSQL with BURROW_TEST_PG_URL).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { blobHash, newMessageId, sealEnvelope, secureRandom, type RosterWire } from '@burrow/protocol';
import type { Db } from '../db/index.js';
import { expectStatus, family, pairToy } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

let server: TestServer;
let realFamilyId: string;
let canaryFamilyId: string;

before(async () => {
  server = await startTestServer({ tripwires: { canaryAccounts: 1 } });
  const planted = await server.services.tripwires.planted;
  assert.ok(planted.family, 'the canary family is planted');
  canaryFamilyId = planted.family.familyId;

  const call = httpClient(server.url);
  const fam = await family(call);
  const toy = await pairToy(call, fam);
  // As the web app sends a recording: sealed to the toy and to the sending device, with its format,
  // duration and the sender's name in the sealed metadata.
  const audio = randomBytes(32_000);
  const sealed = await sealEnvelope({
    kind: 'voice',
    id: newMessageId(secureRandom),
    familyId: fam.roster.familyId,
    sender: fam.guardian.keys,
    rosterVersion: fam.roster.version,
    createdAt: Date.now(),
    recipients: [toy.keys, fam.guardian.keys].map((k) => ({ deviceId: k.deviceId, kemPublicKey: k.kemPublicKey })),
    meta: { mimeType: 'audio/webm;codecs=opus', durationMs: 2000, senderName: 'Grandma' },
    payload: audio,
    random: secureRandom,
  });
  assert.ok(sealed.blob);
  const upload = await call('PUT', `/v1/families/${fam.familyId}/blobs/${blobHash(sealed.blob)}`, {
    ...fam.guardian.as,
    raw: sealed.blob,
  });
  expectStatus(upload, 201, 'uploadBlob');
  const sent = await call('POST', `/v1/families/${fam.familyId}/messages`, {
    ...fam.guardian.as,
    body: { envelope: sealed.envelope },
  });
  expectStatus(sent, 201, 'sendMessage');
  realFamilyId = fam.familyId;
});

after(async () => {
  await server.close();
});

type Row = Record<string, unknown>;

/** Every row of the family tables that belongs to one family. */
async function familyRows(db: Db, familyId: string): Promise<Record<string, Row[]>> {
  const rosters = await db.selectFrom('rosters').selectAll().where('family_id', '=', familyId).orderBy('version').execute();
  const latest = rosters.at(-1);
  assert.ok(latest, `family ${familyId} has a roster`);
  const deviceIds = (JSON.parse(latest.roster) as RosterWire).devices.map((d) => d.id);
  const messages = await db.selectFrom('messages').selectAll().where('family_id', '=', familyId).execute();
  const seqs = messages.map((m) => m.seq);
  return {
    families: await db.selectFrom('families').selectAll().where('id', '=', familyId).execute(),
    children: await db.selectFrom('children').selectAll().where('family_id', '=', familyId).execute(),
    rosters,
    family_members: await db.selectFrom('family_members').selectAll().where('family_id', '=', familyId).execute(),
    devices: await db.selectFrom('devices').selectAll().where('id', 'in', deviceIds).execute(),
    pairings: await db.selectFrom('pairings').selectAll().where('toy_id', 'in', deviceIds).execute(),
    toy_settings: await db.selectFrom('toy_settings').selectAll().where('family_id', '=', familyId).execute(),
    toy_names: await db.selectFrom('toy_names').selectAll().where('family_id', '=', familyId).execute(),
    blobs: await db.selectFrom('blobs').selectAll().where('family_id', '=', familyId).execute(),
    messages,
    message_recipients:
      seqs.length === 0 ? [] : await db.selectFrom('message_recipients').selectAll().where('message_seq', 'in', seqs).execute(),
    receipts: seqs.length === 0 ? [] : await db.selectFrom('receipts').selectAll().where('message_seq', 'in', seqs).execute(),
  };
}

/** What a value looks like without what it says: enough to tell a made-up row from a real one. */
function shape(value: unknown, path: string): unknown {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    assert.ok(typeof value === 'bigint' || Number.isInteger(value), `${path}: ${String(value)} is an integer`);
    return `integer of ${String(String(value).replace('-', '').length)} digits`;
  }
  if (typeof value === 'string') {
    if (value.startsWith('{') || value.startsWith('[')) return shape(JSON.parse(value), path);
    // Enumerations (kind, role, state) say the same thing in every family.
    if (/^[a-z_]{1,12}$/.test(value)) return `word ${value}`;
    const format = /^\d+$/.test(value)
      ? 'digits'
      : /^[0-9a-f]+$/.test(value)
        ? 'hex'
        : /^[0-9A-HJKMNP-TV-Z]+$/.test(value)
          ? 'pairing alphabet'
          : /^[A-Za-z0-9_-]+$/.test(value)
            ? 'base64url'
            : 'text';
    // Sealed metadata holds names, whose length differs between real families too.
    return path.endsWith('.meta') ? format : `${format} of ${String(value.length)} chars`;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => shape(v, `${path}[]`));
  const object = value as Row;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, shape(object[k], `${path}.${k}`)]),
  );
}

/** The rows' shapes in a stable order (row order is not part of the comparison). */
const shapes = (table: string, rows: Row[]): string[] => rows.map((r) => JSON.stringify(shape(r, table))).sort();

void test(`a canary family's rows match a real family's column by column (${process.env.BURROW_TEST_PG_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const real = await familyRows(server.db, realFamilyId);
  const canary = await familyRows(server.db, canaryFamilyId);
  assert.deepEqual(Object.keys(canary), Object.keys(real));
  for (const table of Object.keys(real)) {
    const realRows = real[table] ?? [];
    const canaryRows = canary[table] ?? [];
    assert.equal(canaryRows.length, realRows.length, `${table}: the canary family has as many rows as the real one`);
    assert.deepEqual(shapes(table, canaryRows), shapes(table, realRows), `${table}: the canary rows look like the real ones`);
  }
  // Sealed metadata: as long as the app's, give or take a name's few characters (a canary without the
  // format and duration the app seals would be some 40 characters shorter).
  for (const [table, column] of [['messages', 'envelope'], ['children', 'profile_ciphertext']] as const) {
    const metaLength = (rows: Row[] | undefined): number => (JSON.parse(String(rows?.[0]?.[column])) as { meta: string }).meta.length;
    const difference = Math.abs(metaLength(canary[table]) - metaLength(real[table]));
    assert.ok(difference <= 8, `${table}.${column}: sealed metadata ${String(difference)} characters longer or shorter than the app's`);
  }
  // The comparison saw every kind of row a real family with a toy and a message has.
  for (const table of ['families', 'children', 'rosters', 'family_members', 'devices', 'pairings', 'blobs', 'messages', 'message_recipients'])
    assert.ok((real[table] ?? []).length > 0, `the real family has ${table} rows`);
});

void test('the canary family was set up over minutes, in the order the app sets a family up', async () => {
  const rows = await familyRows(server.db, canaryFamilyId);
  const at = (table: string, column = 'created_at', index = 0): number => Number(rows[table]?.[index]?.[column]);
  const person = rows.devices?.find((d) => d.kind === 'person');
  const toy = rows.devices?.find((d) => d.kind === 'toy');
  assert.ok(person && toy);
  const steps = [
    Number(person.created_at),
    at('families'),
    at('children'),
    Number(toy.created_at),
    at('pairings', 'opened_at'),
    at('pairings', 'claimed_at'),
    at('messages'),
  ];
  assert.deepEqual([...steps].sort((a, b) => a - b), steps, 'each step after the one before');
  assert.ok(new Set(steps).size === steps.length, 'no two steps at the same millisecond');
  assert.ok(steps.every((t) => t <= Date.now()), 'nothing dated in the future');
});
