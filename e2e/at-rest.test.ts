/**
 * P1 at rest: after a full exchange, an attacker holding the raw database (SQLite file and its WAL, or
 * every PostgreSQL table) and the blob folder finds no audio, no password, no session or device token
 * and no child's name — only ciphertext, hashes and routing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Every form a secret could take at rest: raw bytes, UTF-8, hex, base64 and base64url at each alignment. */
function needles(secret: Uint8Array): Buffer[] {
  const raw = Buffer.from(secret);
  const out = [raw, Buffer.from(raw.toString('hex'))];
  for (let k = 0; k < 3; k++) {
    const part = raw.subarray(k, k + 45);
    out.push(Buffer.from(part.toString('base64').slice(2, -2)), Buffer.from(part.toString('base64url').slice(2, -2)));
  }
  return out;
}

test('the database and blob store hold no audio, password, token or child name', async () => {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childName = 'Zebulon Quartzfeather';
  const childId = await mum.createChild(familyId, childName);
  const toy = await world.toy();
  const toyId = await mum.claimToy(familyId, childId, await toy.startPairing());
  assert.ok(await toy.checkPairing());
  // A toy's display name is family data too: sealed like the child's name (docs/api.md, Toys).
  const toyName = 'Sir Wobblesworth Bunny';
  await mum.renameToy(familyId, toyId, toyName);
  const audio = audioSample(64_000);
  await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum', mimeType: 'audio/ogg' });
  await toy.sync();
  assert.deepEqual((await toy.playNext())?.audio, audio);
  const answer = audioSample(32_000);
  const answerId = await toy.record(answer, { mimeType: 'audio/ogg' });
  assert.deepEqual((await mum.sync()).find((m) => m.messageId === answerId)?.audio, answer);

  const secrets: [string, Uint8Array][] = [
    ['audio (start)', audio.subarray(0, 48)],
    ['audio (middle)', audio.subarray(30_000, 30_048)],
    ['answer', answer.subarray(1000, 1048)],
    ['password', Buffer.from(PASSWORD)],
    ['session token', Buffer.from(mum.api.token!)],
    ['toy token', Buffer.from(toy.api.token!)],
    ['child name', Buffer.from(childName)],
    ['toy name', Buffer.from(toyName)],
  ];

  const haystacks: [string, Buffer][] = [];
  for (const file of walk(world.server.dataDir)) haystacks.push([file, readFileSync(file)]);
  if (process.env.BURROW_TEST_PG_URL) {
    const db = world.server.db;
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(db);
    assert.ok(tables.rows.length >= 5);
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(db);
      haystacks.push([`pg:${table_name}`, Buffer.concat(rows.rows.map((r) => Buffer.concat(Object.values(r as object).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))))))) ]);
    }
  } else {
    assert.ok(haystacks.some(([f]) => f.endsWith('.db')), 'the SQLite file was read');
  }
  assert.ok(haystacks.length >= 3, 'there is data at rest to inspect');
  const blobBytes = haystacks.filter(([f]) => f.includes('blobs')).reduce((n, [, b]) => n + b.length, 0);
  assert.ok(blobBytes > audio.length + answer.length, 'both blobs are stored');

  for (const [name, secret] of secrets) {
    for (const needle of needles(secret)) {
      for (const [where, hay] of haystacks) assert.equal(hay.includes(needle), false, `${name} found in ${where}`);
    }
  }
});
