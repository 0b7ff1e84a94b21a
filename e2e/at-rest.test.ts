/**
 * P1 at rest: after a full exchange, an attacker holding the raw database (SQLite file and its WAL, or
 * every PostgreSQL table) and the blob folder finds no audio, no password, no session or device token
 * and no child's name, birthday or photo — only ciphertext, hashes and routing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { readChildProfile, toBase64url } from '@burrow/protocol';
import { IP_KEEP_DAYS } from '../packages/server/src/accounts/ip-fade.js';
import { rememberRevokedSessions } from '../packages/server/src/incidents/store.js';
import { filesUnder } from './stolen-keys.js';
import { audioSample, PASSWORD, startWorld, type World } from './world.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

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

test('the database and blob store hold no audio, password, token, or child name, birthday or photo', async () => {
  const mum = await world.guardian('mum');
  const familyId = await mum.createFamily();
  const childName = 'Zebulon Quartzfeather';
  // The profile's birthday and photo (a JPEG's first bytes, then noise) are sealed with the name.
  const birthday = '2018-02-27';
  const photo = randomBytes(6000);
  photo.set([0xff, 0xd8, 0xff, 0xe0]);
  const childId = await mum.createChild(familyId, { childName, birthday, photo: { type: 'image/jpeg', data: toBase64url(photo) } });
  const [stored] = (await mum.api.getFamily(familyId)).children;
  assert.deepEqual(readChildProfile(await mum.openRecord(familyId, stored!.profile))?.birthday, birthday, 'the profile the server holds carries the birthday');
  assert.equal(readChildProfile(await mum.openRecord(familyId, stored!.profile))?.photo?.data, toBase64url(photo), 'and the photo');
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
    ['child birthday', Buffer.from(birthday)],
    ['child photo (start)', photo.subarray(0, 48)],
    ['child photo (middle)', photo.subarray(3000, 3048)],
    ['child photo (end)', photo.subarray(-48)],
    ['toy name', Buffer.from(toyName)],
  ];

  const haystacks: [string, Buffer][] = [];
  for (const file of filesUnder(world.server.dataDir)) haystacks.push([file, readFileSync(file)]);
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

/** The database's own bytes: the SQLite file and its WAL, or a pg_dump of the PostgreSQL database. */
function databaseBytes(): [string, Buffer][] {
  const database = world.server.config.database;
  if (database.kind === 'postgres') {
    const dump = spawnSync('pg_dump', ['--no-owner', database.url], { maxBuffer: 1 << 30 });
    assert.equal(dump.status, 0, dump.stderr.toString());
    return [['pg_dump', dump.stdout]];
  }
  const files = [...filesUnder(world.server.dataDir)].filter((f) => /\.db(-wal|-shm|-journal)?$/.test(f));
  assert.ok(files.some((f) => f.endsWith('.db')), 'the SQLite file was read');
  return files.map((f) => [f, readFileSync(f)]);
}

test('after sign-ups, the database file, its WAL (or a pg_dump) hold no email address in clear', async () => {
  const people = [await world.guardian('grandma'), await world.guardian('uncle'), await world.guardian('Cousin.Mixed')];
  // Sealed and indexed, still each one's address (the server opens them to mail them).
  for (const p of people) assert.equal((await world.server.services.emails.findByEmail(world.server.db, p.email.toLowerCase()))?.email, p.email.toLowerCase());
  const haystacks = databaseBytes();
  assert.ok(haystacks.reduce((n, [, b]) => n + b.length, 0) > 10_000, 'there is a database to inspect');
  for (const p of people) {
    const address = p.email.toLowerCase();
    const local = address.split('@')[0]!;
    for (const needle of [...needles(Buffer.from(address)), Buffer.from(local), Buffer.from(p.email)])
      for (const [where, hay] of haystacks) assert.equal(hay.includes(needle), false, `${address} found in ${where}`);
  }
});

test('client addresses older than IP_KEEP_DAYS are cut to their /24 or /48 by the daily maintenance, on disk too', async () => {
  // Time moves by hand here; addresses come through a trusted proxy so each person has their own.
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const aged = await startWorld({ clock, trustProxy: '127.0.0.1' });
  try {
    const from = (ip: string): typeof fetch => (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-forwarded-for', ip);
      return fetch(input, { ...init, headers });
    };
    const v4 = '198.51.100.77';
    const v6 = '2001:db8:abcd:12:5:6:7:8';
    const four = await aged.guardian('four', { fetch: from(v4) });
    await four.createFamily();
    const six = await aged.guardian('six', { fetch: from(v6) });
    await six.createFamily();
    const server = aged.server;
    await server.services.breachWatch.recorder.flush();
    // Sessions an incident revoked keep where they were last used from (the stale-cookie check).
    const idOf = async (p: { email: string }): Promise<string> => (await server.services.emails.findByEmail(server.db, p.email.toLowerCase()))?.id ?? 'none';
    await rememberRevokedSessions(server.db, await idOf(four), [{ tokenHash: `revoked-four-${String(Date.now())}`, ip: v4 }], 'test incident', clock.now());
    await rememberRevokedSessions(server.db, await idOf(six), [{ tokenHash: `revoked-six-${String(Date.now())}`, ip: v6 }], 'test incident', clock.now());
    const ipsOf = async () => ({
      audit: (await server.db.selectFrom('audit_events').select('ip').distinct().execute()).map((r) => r.ip),
      security: (await server.db.selectFrom('security_events').select('ip').distinct().execute()).map((r) => r.ip),
      revoked: (await server.db.selectFrom('revoked_credentials').select('last_ip').distinct().execute()).map((r) => r.last_ip),
    });
    const fresh = await ipsOf();
    assert.ok(fresh.audit.includes(v4) && fresh.audit.includes(v6), `audit trail: ${JSON.stringify(fresh.audit)}`);
    assert.ok(fresh.revoked.includes(v4) && fresh.revoked.includes(v6), `revoked credentials: ${JSON.stringify(fresh.revoked)}`);
    assert.ok(fresh.security.includes(v4) && fresh.security.includes(v6), 'security log');
    // Within the keep period the maintenance leaves them whole (the Security page and the detectors use them).
    await server.services.maintenance.run();
    assert.ok((await ipsOf()).security.includes(v4), 'kept while fresh');
    assert.ok((await ipsOf()).revoked.includes(v4), 'kept while fresh (revoked credentials)');

    offset = (IP_KEEP_DAYS + 1) * 24 * 60 * 60 * 1000;
    await server.services.maintenance.run();
    const faded = await ipsOf();
    for (const list of [faded.audit, faded.security, faded.revoked]) {
      assert.ok(list.includes('198.51.100.0/24'), JSON.stringify(list));
      assert.ok(list.includes('2001:db8:abcd::/48'), JSON.stringify(list));
      assert.ok(!list.includes(v4) && !list.includes(v6), JSON.stringify(list));
    }
    const database = server.config.database;
    const haystacks: [string, Buffer][] =
      database.kind === 'postgres'
        ? [['pg_dump', spawnSync('pg_dump', ['--no-owner', database.url], { maxBuffer: 1 << 30 }).stdout]]
        : [...filesUnder(server.dataDir)].filter((f) => /\.db(-wal)?$/.test(f)).map((f) => [f, readFileSync(f)]);
    assert.ok(haystacks.some(([, b]) => b.length > 10_000), 'there is a database to inspect');
    for (const ip of [v4, v6]) for (const [where, hay] of haystacks) assert.equal(hay.includes(Buffer.from(ip)), false, `${ip} found in ${where}`);
  } finally {
    await aged.close();
  }
});
