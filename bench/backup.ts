/**
 * Backup and restore at scale: N voice messages (default 10,000) with blobs the size of 2 s of
 * Opus (32 KB of ciphertext each), then `createBackup`, `verifyBackup` (with the key) and
 * `restoreBackup` into an empty installation. Reported, not asserted.
 *
 *   npx tsx bench/backup.ts [--messages 10000] [--blob-bytes 32768]
 *   BURROW_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/backup.ts
 *
 * One real sealed envelope gives the row sizes; rows and blobs are then written directly (sending
 * 10,000 messages over HTTP would measure the API, not the backup).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createFsBlobs, startTestServer, type DatabaseConfig } from '@burrow/server';
import { createBackup, generateBackupIdentity, restoreBackup, verifyBackup } from '@burrow/server/backup';
import { family, sealedVoice } from '../packages/server/src/testing/fixtures.js';
import { httpClient } from '../packages/server/src/testing/http.js';
import { insertBlob, insertMessage } from '../packages/server/src/messages/store.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, 'blob-bytes': { type: 'string' } } });
const N = Number(values.messages ?? 10_000);
const BLOB = Number(values['blob-bytes'] ?? 32_768);
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const server = await startTestServer();
const scratch = mkdtempSync(join(tmpdir(), 'burrow-bench-backup-'));
let restoredDb: string | null = null;
try {
  const call = httpClient(server.url);
  const fam = await family(call);
  const sample = await sealedVoice(fam.guardian.keys, fam.roster, [fam.guardian.keys], randomBytes(BLOB - 100));
  const envelope = JSON.stringify(sample.envelope);

  const filling = Date.now();
  const now = Date.now();
  for (let start = 0; start < N; start += 500) {
    const batch = Array.from({ length: Math.min(500, N - start) }, (_, i) => {
      const blob = new Uint8Array(randomBytes(BLOB));
      const hash = createHash('sha256').update(blob).digest('base64url');
      return { blob, hash, id: `bench-${String(start + i).padStart(6, '0')}` };
    });
    await Promise.all(batch.map((b) => server.blobs.put(`${fam.familyId}/${b.hash}`, b.blob)));
    // Through the tables' owner (messages/store.ts), one transaction per batch.
    await server.db.transaction().execute(async (trx) => {
      for (const b of batch) {
        await insertBlob(trx, { familyId: fam.familyId, hash: b.hash, size: BLOB, uploadedBy: fam.guardian.keys.deviceId, createdAt: now });
        await insertMessage(
          trx,
          {
            id: b.id,
            familyId: fam.familyId,
            senderId: fam.guardian.keys.deviceId,
            envelope: envelope.replace(sample.envelope.id, b.id),
            blobHash: b.hash,
            createdAt: now,
          },
          [],
        );
      }
    });
    process.stderr.write(`\rfilling ${String(Math.min(N, start + 500))}/${String(N)}`);
  }
  process.stderr.write('\n');
  console.log(`${String(N)} messages, blobs of ${String(BLOB)} B, on ${server.dialect} (filled in ${s(Date.now() - filling)})`);

  const { identity, recipient } = await generateBackupIdentity();
  const backup = await createBackup({ database: server.config.database, db: server.db, blobs: server.blobs, recipient, outDir: join(scratch, 'backups') });
  console.log(
    `backup:  ${s(backup.ms)}  size ${mb(backup.backupBytes)} (database ${mb(backup.databaseBytes)}, blobs ${mb(backup.blobBytes)}, ${String(backup.blobs)} blobs)`,
  );

  const verifying = Date.now();
  await verifyBackup(backup.path, identity);
  console.log(`verify:  ${s(Date.now() - verifying)}  (decrypt everything, check every hash)`);

  const dataDir = join(scratch, 'restored');
  let database: DatabaseConfig = { kind: 'sqlite', path: join(dataDir, 'burrow.db') };
  if (server.config.database.kind === 'postgres') {
    const url = new URL(server.config.database.url);
    const name = `${url.pathname.slice(1)}_restored`;
    const admin = new pg.Client({ connectionString: server.config.database.url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    url.pathname = `/${name}`;
    restoredDb = url.toString();
    database = { kind: 'postgres', url: restoredDb };
  }
  const restored = await restoreBackup({
    dir: backup.path,
    identity,
    config: { ...server.config, dataDir, database },
    blobs: createFsBlobs(join(dataDir, 'blobs')),
  });
  console.log(`restore: ${s(restored.ms)}  (${String(restored.blobs)} blobs written and read back, every hash verified)`);
} finally {
  if (restoredDb && server.config.database.kind === 'postgres') {
    const admin = new pg.Client({ connectionString: server.config.database.url });
    await admin.connect();
    await admin.query(`drop database if exists ${new URL(restoredDb).pathname.slice(1)} with (force)`);
    await admin.end();
  }
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}
