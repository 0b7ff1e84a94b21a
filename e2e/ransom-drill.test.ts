/**
 * The ransom drill (P7): 120 messages (more than two pages of the inbox), a backup, then what happened to CloudPets — the database and
 * the blob store wiped and a ransom note left in their place. The operator moves the wreck aside,
 * restores the encrypted backup into an empty installation, and every message comes back
 * byte-identical and still plays on the toy.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { createFsBlobs, startTestServer, type DatabaseConfig } from '@burrow/server';
import { BackupError, createBackup, generateBackupIdentity, restoreBackup, verifyBackup } from '@burrow/server/backup';
import { audioSample, pairedFamily, startWorld } from './world.js';

// More than two pages of the inbox (50), so the restored toy catches up page by page; every one is
// compared byte for byte. Sent SENDERS at a time: the drill is about the restore, not about queueing.
const MESSAGES = 120;
const SENDERS = 8;

async function pgAdmin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

void test(`ransom drill: ${String(MESSAGES)} messages survive a wipe and a ransom note, byte-identical, and still play`, async () => {
  const world = await startWorld();
  const scratch = mkdtempSync(join(tmpdir(), 'burrow-drill-'));
  let restoredDb: string | null = null;
  try {
    const { server } = world;
    const { mum, familyId, toy, toyId } = await pairedFamily(world);
    const sent = new Map<string, Uint8Array>();
    let next = 0;
    const sender = async (): Promise<void> => {
      for (let i = next++; i < MESSAGES; i = next++) {
        const audio = audioSample(1500 + i);
        sent.set(await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' }), audio);
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    assert.equal(sent.size, MESSAGES);
    // This family's messages: the installation also holds the tripwires' canary family (docs/security.md), backed up like any other.
    const rowsBefore = await server.db.selectFrom('messages').select(['id', 'envelope', 'blob_hash']).where('family_id', '=', familyId).orderBy('seq').execute();
    const blobRows = await server.db.selectFrom('blobs').select(['family_id', 'hash']).execute();
    const blobsBefore = new Map<string, Uint8Array | undefined>();
    for (const r of blobRows) blobsBefore.set(`${r.family_id}/${r.hash}`, await server.blobs.get(`${r.family_id}/${r.hash}`));
    assert.equal(rowsBefore.length, MESSAGES);

    // The backup, encrypted to a key the server never holds.
    const { identity, recipient } = await generateBackupIdentity();
    const backup = await createBackup({
      database: server.config.database,
      db: server.db,
      blobs: server.blobs,
      recipient,
      outDir: join(scratch, 'backups'),
    });
    assert.equal(backup.blobs, blobRows.length);
    assert.equal(backup.missingBlobs, 0);
    const someAudio = [...sent.values()][0] ?? new Uint8Array();
    for (const file of readdirSync(backup.path))
      assert.equal(readFileSync(join(backup.path, file)).indexOf(Buffer.from(someAudio.subarray(0, 64))), -1, file);

    // The attack: the service goes down, the database and the blobs are wiped, a note is left.
    const port = Number(new URL(server.url).port);
    await server.app.close();
    await server.db.destroy();
    const note = 'All your data is backed up. Send 0.5 BTC to get it back.';
    if (server.config.database.kind === 'postgres') {
      await pgAdmin(server.config.database.url, 'drop schema public cascade; create schema public');
      await pgAdmin(server.config.database.url, `create table please_read_me (note text); insert into please_read_me values ('${note}')`);
    } else {
      for (const f of readdirSync(server.dataDir)) if (f.startsWith('burrow.db')) rmSync(join(server.dataDir, f));
      writeFileSync(join(server.dataDir, 'burrow.db'), note);
    }
    rmSync(join(server.dataDir, 'blobs'), { recursive: true, force: true });
    mkdirSync(join(server.dataDir, 'blobs'));
    writeFileSync(join(server.dataDir, 'blobs', 'README_TO_RECOVER.txt'), note);

    // The backup is intact, and restore refuses to write over the wreck.
    const verified = await verifyBackup(backup.path, identity);
    assert.equal(verified.decrypted?.blobs, blobRows.length);
    await assert.rejects(
      restoreBackup({ dir: backup.path, identity, config: server.config, blobs: server.blobs }),
      (err: unknown) => err instanceof BackupError && /empty installation|empty database|not empty/.test(err.message),
    );

    // The runbook: keep the wreck as evidence, restore into an empty installation at the same place.
    renameSync(server.dataDir, join(scratch, 'evidence'));
    mkdirSync(server.dataDir, { mode: 0o700 });
    let database: DatabaseConfig = server.config.database;
    if (database.kind === 'postgres') {
      const url = new URL(database.url);
      const name = `${url.pathname.slice(1)}_restored`;
      await pgAdmin(database.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `create database ${name}`);
      url.pathname = `/${name}`;
      restoredDb = url.toString();
      database = { kind: 'postgres', url: restoredDb };
    }
    const config = { ...server.config, database };
    const restored = await restoreBackup({
      dir: backup.path,
      identity,
      config,
      blobs: createFsBlobs(join(server.dataDir, 'blobs')),
    });
    assert.equal(restored.blobs, blobRows.length);

    // Same port: the toy and the guardian never learn anything happened.
    const again = await startTestServer({ existing: { dataDir: server.dataDir, database }, port });
    world.onClose(() => again.close());
    const rowsAfter = await again.db.selectFrom('messages').select(['id', 'envelope', 'blob_hash']).where('family_id', '=', familyId).orderBy('seq').execute();
    assert.deepEqual(rowsAfter, rowsBefore);
    for (const [key, bytes] of blobsBefore) assert.deepEqual(await again.blobs.get(key), bytes, key);

    let played = 0;
    while (played < MESSAGES) {
      assert.ok((await toy.sync()) > 0, `the toy found nothing after ${String(played)} messages`);
      for (let m = await toy.playNext(); m; m = await toy.playNext()) {
        assert.deepEqual(m.audio, sent.get(m.messageId), m.messageId);
        played++;
      }
    }
    assert.equal(played, MESSAGES);
  } finally {
    await world.close();
    if (restoredDb) await pgAdmin(restoredDb.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `drop database if exists ${new URL(restoredDb).pathname.slice(1)} with (force)`);
    rmSync(scratch, { recursive: true, force: true });
  }
});
