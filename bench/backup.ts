/**
 * Backup and restore at scale: N voice messages (default 10,000) with blobs the size of 2 s of
 * Opus (32 KB of ciphertext each), plus `--database-mb` of audit rows (default 0) so the database
 * itself is large, then `createBackup`, `verifyBackup` (with the key) and `restoreBackup` into an
 * empty installation. Reports each step's time and peak memory (RSS, V8 heap, Buffers) over the
 * process's level before it. Reported, not asserted.
 *
 *   npx tsx bench/backup.ts [--messages 10000] [--blob-bytes 32768] [--database-mb 1024] [--skip-restore]
 *   BURROW_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/backup.ts
 *
 * One real sealed envelope gives the row sizes; rows and blobs are then written directly (sending
 * 10,000 messages over HTTP would measure the API, not the backup). The audit rows are one bulk
 * INSERT … SELECT of random bytes in hex per 64 MB (seconds for a gigabyte, not 2 M API calls).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { startTestServer, type DatabaseConfig } from '@burrow/server';
import { createBackup, generateBackupIdentity, openRestoreBlobs, restoreBackup, verifyBackup } from '@burrow/server/backup';
import { family, sealedVoice } from '../packages/server/src/testing/fixtures.js';
import { httpClient } from '../packages/server/src/testing/http.js';
import { insertBlob, insertMessage } from '../packages/server/src/messages/store.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, 'blob-bytes': { type: 'string' }, 'database-mb': { type: 'string' }, 'skip-restore': { type: 'boolean' } } });
const N = Number(values.messages ?? 10_000);
const BLOB = Number(values['blob-bytes'] ?? 32_768);
const DATABASE_MB = Number(values['database-mb'] ?? 0);

/** Runs `fn`, sampling memory every 20 ms; returns its result, time and peaks over the level before. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; memory: string }> {
  const base = process.memoryUsage();
  const peak = { rss: base.rss, heapUsed: base.heapUsed, arrayBuffers: base.arrayBuffers };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  }, 20);
  const started = Date.now();
  try {
    const value = await fn();
    return {
      value,
      ms: Date.now() - started,
      memory: `peak +${mb(peak.rss - base.rss)} RSS, +${mb(peak.heapUsed - base.heapUsed)} heap, +${mb(peak.arrayBuffers - base.arrayBuffers)} Buffers`,
    };
  } finally {
    clearInterval(timer);
  }
}
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
  // Bulk filler: 64 MB of audit rows per statement (each row 2 KB of random bytes as 4 KB of hex).
  for (let done = 0; done < DATABASE_MB; done += 64) {
    const rows = (Math.min(64, DATABASE_MB - done) * 1024 * 1024) / 4096;
    if (server.dialect === 'sqlite')
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${rows})
        insert into audit_events (at, action, status, resource) select i, 'bench', 200, hex(randomblob(2048)) from n`.execute(server.db);
    else
      await sql`insert into audit_events (at, action, status, resource)
        select i, 'bench', 200, (select string_agg(md5(random()::text || i::text || j::text), '') from generate_series(1, 128) j)
        from generate_series(1, ${rows}) i`.execute(server.db);
    process.stderr.write(`\rdatabase filler ${String(Math.min(DATABASE_MB, done + 64))}/${String(DATABASE_MB)} MB`);
  }
  if (DATABASE_MB > 0) process.stderr.write('\n');
  console.log(`${String(N)} messages, blobs of ${String(BLOB)} B, ${String(DATABASE_MB)} MB of audit rows, on ${server.dialect} (filled in ${s(Date.now() - filling)})`);

  const { identity, recipient } = await generateBackupIdentity();
  const made = await measured(() =>
    createBackup({ database: server.config.database, db: server.db, blobs: server.blobs, recipient, outDir: join(scratch, 'backups') }),
  );
  const backup = made.value;
  console.log(
    `backup:  ${s(backup.ms)}  size ${mb(backup.backupBytes)} (database ${mb(backup.databaseBytes)}, blobs ${mb(backup.blobBytes)}, ${String(backup.blobs)} blobs); ${made.memory}`,
  );

  const verified = await measured(() => verifyBackup(backup.path, identity));
  console.log(`verify:  ${s(verified.ms)}  (decrypt everything, check every hash); ${verified.memory}`);
  // Backup and verify alone (e.g. under --cpu-prof): the restore is minutes at 1 KiB blobs.
  if (!values['skip-restore']) {
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
    const restoring = await measured(() =>
      restoreBackup({
        dir: backup.path,
        identity,
        config: { ...server.config, dataDir, database },
        // As `burrow restore` writes them (backup/restore-fs.ts): one sync at the end, not one a blob.
        blobs: openRestoreBlobs({ dataDir, blobStore: { kind: 'fs' } }),
      }),
    );
    console.log(`restore: ${s(restoring.value.ms)}  (${String(restoring.value.blobs)} blobs written and read back, every hash verified); ${restoring.memory}`);
  }
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
