/** Backups: what verify catches, what restore refuses, and the operator's CLI from keygen to restore. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Encrypter } from 'age-encryption';
import pg from 'pg';
import { createFsBlobs, createMemoryBlobs, type Blobs } from '../blobs/index.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { expectStatus, family, sealedVoice } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { blobsInFlight, createBackup, IN_FLIGHT_BYTES, READ_AHEAD } from './backup.js';
import { readContents } from './contents.js';
import { BackupError, sha256, type BlobEntry, type InnerManifestV1 } from './format.js';
import { generateBackupIdentity } from './keys.js';
import { terminalProgress, type ProgressFactory } from './progress.js';
import { restoreBackup } from './restore.js';
import { openRestoreBlobs } from './restore-fs.js';
import { openBackup, verifyBackup } from './verify.js';
import { nodeEntry } from '../testing/processes.js';

let server: TestServer;
let scratch: string;
const blobs = new Map<string, Uint8Array>();

before(async () => {
  server = await startTestServer();
  scratch = mkdtempSync(join(tmpdir(), 'burrow-backup-'));
  const call = httpClient(server.url);
  const fam = await family(call);
  for (let i = 0; i < 5; i++) {
    const voice = await sealedVoice(fam.guardian.keys, fam.roster, [fam.guardian.keys]);
    const up = await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob });
    expectStatus(up, 201, 'upload');
    blobs.set(`${fam.familyId}/${voice.hash}`, voice.blob);
  }
});
after(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

const listedBlobs = async () => (await server.db.selectFrom('blobs').select('hash').execute()).length;

async function backupNow() {
  const keys = await generateBackupIdentity();
  const summary = await createBackup({
    database: server.config.database,
    db: server.db,
    blobs: server.blobs,
    recipient: keys.recipient,
    outDir: mkdtempSync(join(scratch, 'out-')),
  });
  return { ...keys, summary };
}

test('a backup holds every blob, encrypted (no blob bytes in clear), in owner-only files', async () => {
  const { summary, identity } = await backupNow();
  // Every blob the database lists: ours, and the canary family's that tripwires/ planted.
  assert.equal(summary.blobs, await listedBlobs());
  const names = readdirSync(summary.path).sort();
  assert.deepEqual(names, ['blobs-0001.age', 'contents.age', 'database.age', 'manifest.json']);
  for (const name of names) {
    assert.equal(statSync(join(summary.path, name)).mode & 0o077, 0, name);
    const bytes = readFileSync(join(summary.path, name));
    for (const blob of blobs.values()) assert.equal(bytes.indexOf(Buffer.from(blob.subarray(0, 32))), -1, name);
  }
  const verified = await verifyBackup(summary.path, identity);
  assert.equal(verified.decrypted?.blobs, await listedBlobs());
});

test('verify catches a changed byte without the key, and a wrong key with it', async () => {
  const { summary, identity } = await backupNow();
  const pack = join(summary.path, 'blobs-0001.age');
  const bytes = readFileSync(pack);
  bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 1;
  writeFileSync(pack, bytes);
  await assert.rejects(verifyBackup(summary.path, null), (e: unknown) => e instanceof BackupError && /blobs-0001\.age does not match/.test(e.message));
  await assert.rejects(verifyBackup(summary.path, identity), BackupError);

  const other = await backupNow();
  const stranger = await generateBackupIdentity();
  await assert.rejects(
    verifyBackup(other.summary.path, stranger.identity),
    (e: unknown) => e instanceof BackupError && /cannot be decrypted with this identity/.test(e.message),
  );
  rmSync(join(other.summary.path, 'database.age'));
  await assert.rejects(verifyBackup(other.summary.path, null), /database\.age is missing/);
});

test('restore refuses an installation that has data, and a backup of the other dialect', async () => {
  const { summary, identity } = await backupNow();
  await assert.rejects(
    restoreBackup({ dir: summary.path, identity, config: server.config, blobs: createMemoryBlobs() }),
    (e: unknown) => e instanceof BackupError && /empty/.test(e.message),
  );
  const otherKind =
    server.config.database.kind === 'sqlite'
      ? { kind: 'postgres' as const, url: 'postgres://nobody:pw@127.0.0.1:1/none' }
      : { kind: 'sqlite' as const, path: join(scratch, 'x.db') };
  await assert.rejects(
    restoreBackup({ dir: summary.path, identity, config: { ...server.config, database: otherKind }, blobs: createMemoryBlobs() }),
    /holds a (sqlite|postgres) database/,
  );
});

/** An empty installation of the server's dialect to restore into (a new PostgreSQL database, dropped after). */
async function emptyTarget(t: { after(fn: () => Promise<void>): void }): Promise<typeof server.config> {
  const dataDir = mkdtempSync(join(scratch, 'target-'));
  if (server.config.database.kind === 'sqlite') return { ...server.config, dataDir, database: { kind: 'sqlite', path: join(dataDir, 'burrow.db') } };
  const name = `burrow_restore_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server.config.database.kind === 'postgres' ? server.config.database.url : '' });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  t.after(() => admin(`drop database if exists ${name} with (force)`));
  const url = new URL(server.config.database.kind === 'postgres' ? server.config.database.url : '');
  url.pathname = `/${name}`;
  return { ...server.config, dataDir, database: { kind: 'postgres', url: url.toString() } };
}

/** A ProgressFactory that keeps what each step was told: its total, its ticks, and whether it was done. */
function recordedProgress(): { factory: ProgressFactory; steps: { label: string; total: number; count: number; done: boolean }[] } {
  const steps: { label: string; total: number; count: number; done: boolean }[] = [];
  const factory: ProgressFactory = (label, total) => {
    const step = { label, total, count: 0, done: false };
    steps.push(step);
    return {
      tick: (n = 1) => {
        step.count += n;
      },
      done: () => {
        step.done = true;
      },
    };
  };
  return { factory, steps };
}

test('backup, verify and restore each report every step to its end: the blobs counted one by one up to their total', async (t) => {
  const keys = await generateBackupIdentity();
  const n = await listedBlobs();
  const made = recordedProgress();
  const summary = await createBackup({
    database: server.config.database,
    db: server.db,
    blobs: server.blobs,
    recipient: keys.recipient,
    outDir: mkdtempSync(join(scratch, 'out-')),
    progress: made.factory,
  });
  const shown = (steps: typeof made.steps) => steps.map((s) => (s.label.endsWith('(MiB)') ? [s.label, s.done] : [s.label, s.count, s.total, s.done]));
  assert.deepEqual(shown(made.steps), [
    ['database (MiB)', true],
    ['blobs', n, n, true],
  ]);
  const checked = recordedProgress();
  await verifyBackup(summary.path, keys.identity, checked.factory);
  assert.deepEqual(shown(checked.steps), [
    ['checking files', 3, 3, true],
    ['database (MiB)', true],
    ['checking blobs', n, n, true],
  ]);
  const restored = recordedProgress();
  await restoreBackup({ dir: summary.path, identity: keys.identity, config: await emptyTarget(t), blobs: createMemoryBlobs(), progress: restored.factory });
  assert.deepEqual(shown(restored.steps), [
    ['checking files', 3, 3, true],
    ['database (MiB)', true],
    ['blobs', n, n, true],
  ]);
});

test('on a terminal a step redraws one line as its percentage moves and ends it; elsewhere it prints one line when done', () => {
  const written = (isTTY: boolean): string[] => {
    const out: string[] = [];
    const stream = { isTTY, write: (text: string) => out.push(text) } as unknown as NodeJS.WriteStream;
    const step = terminalProgress(stream)('blobs', 4);
    for (let i = 0; i < 4; i++) step.tick();
    step.done();
    return out;
  };
  const tty = written(true);
  // 25, 50, 75 and 100 %, each drawn over the last (\r), then 100 % again and the line ended.
  assert.deepEqual(
    tty.map((line) => /(\d+)%\s+(\d+)\/4$/.exec(line)?.slice(1).join(' ') ?? JSON.stringify(line)),
    ['25 1', '50 2', '75 3', '100 4', '100 4', '"\\n"'],
  );
  assert.ok(tty.slice(0, -1).every((line) => line.startsWith('\rblobs ')));
  assert.ok(tty[3]?.includes(`[${'#'.repeat(30)}]`), 'the bar is full at 100 %');
  assert.deepEqual(written(false), ['blobs: 4/4 done\n']);
});

test('blobs in flight hold at most IN_FLIGHT_BYTES together: all READ_AHEAD voice messages, fewer large blobs, always one', () => {
  assert.equal(blobsInFlight(48 * 1024), READ_AHEAD);
  assert.equal(blobsInFlight(1024 * 1024), 4);
  assert.equal(blobsInFlight(2 * 1024 * 1024), 2);
  assert.equal(blobsInFlight(IN_FLIGHT_BYTES * 3), 1);
  assert.equal(blobsInFlight(0), READ_AHEAD);
});

test('restore writes several blobs at a time, and fails on a blob that does not read back', async (t) => {
  const { summary, identity } = await backupNow();
  const store = createMemoryBlobs();
  let writing = 0;
  let most = 0;
  const watched: Blobs = {
    ...store,
    async put(key, bytes) {
      writing++;
      most = Math.max(most, writing);
      await new Promise((resolve) => setImmediate(resolve)); // a write's round trip
      await store.put(key, bytes);
      writing--;
    },
    get: (key) => store.get(key),
  };
  const restored = await restoreBackup({ dir: summary.path, identity, config: await emptyTarget(t), blobs: watched });
  assert.equal(restored.blobs, summary.blobs);
  assert.ok(most > 1, `at most ${String(most)} write(s) at a time`);
  for (const [key, bytes] of blobs) assert.ok(Buffer.from((await store.get(key)) ?? []).equals(Buffer.from(bytes)), key);

  const [bad] = [...blobs.keys()];
  const lying = createMemoryBlobs();
  const failing: Blobs = {
    ...lying,
    put: (key, bytes) => lying.put(key, bytes),
    get: async (key) => (key === bad ? new Uint8Array([1, 2, 3]) : lying.get(key)),
  };
  await assert.rejects(
    restoreBackup({ dir: summary.path, identity, config: await emptyTarget(t), blobs: failing }),
    (e: unknown) => e instanceof BackupError && e.message.includes(`Blob ${String(bad)} did not read back identical`),
  );
});

test('restore into the fs store: the store\'s layout and modes, read back by the store, durable (one sync) before it succeeds', async (t) => {
  const { summary, identity } = await backupNow();
  const config = await emptyTarget(t);
  assert.equal(config.blobStore.kind, 'fs');
  const writer = openRestoreBlobs(config);
  let settled = 0;
  const restored = await restoreBackup({
    dir: summary.path,
    identity,
    config,
    blobs: {
      put: (key, bytes) => writer.put(key, bytes),
      get: (key) => writer.get(key),
      settle: async () => {
        settled++;
        await writer.settle?.();
      },
    },
  });
  assert.equal(restored.blobs, summary.blobs);
  assert.equal(settled, 1, 'the writes are synced once, at the end');
  const root = join(config.dataDir, 'blobs');
  const store = createFsBlobs(root);
  for (const [key, bytes] of blobs) {
    assert.ok(Buffer.from((await store.get(key)) ?? []).equals(Buffer.from(bytes)), key);
    const [folder] = key.split('/');
    assert.equal(statSync(join(root, ...key.split('/'))).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, folder ?? '')).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(root, folder ?? '')).filter((name) => name.startsWith('.tmp-')), [], 'no temp file left');
  }

  // A restore whose final sync fails has not restored anything durable: it says so.
  const again = await emptyTarget(t);
  const unsynced = openRestoreBlobs(again);
  await assert.rejects(
    restoreBackup({
      dir: summary.path,
      identity,
      config: again,
      blobs: { put: (k, b) => unsynced.put(k, b), get: (k) => unsynced.get(k), settle: () => Promise.reject(new Error('sync failed: EIO')) },
    }),
    /sync failed: EIO/,
  );
});

test('a burrow-backup/1 backup (contents.age one JSON document, as written before it streamed) still verifies and restores', async (t) => {
  const { summary, identity, recipient } = await backupNow();
  // The same backup with its contents.age rewritten the old way, and manifest.json saying /1.
  const opened = await openBackup(summary.path, identity);
  const entries: BlobEntry[] = [];
  for await (const entry of await opened.blobEntries()) entries.push(entry);
  const v1: InnerManifestV1 = { format: 'burrow-backup/1', database: opened.database, blobs: entries.reverse(), missingBlobs: [] };
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const sealed = await encrypter.encrypt(new TextEncoder().encode(JSON.stringify(v1)));
  writeFileSync(join(summary.path, 'contents.age'), sealed);
  const manifestPath = join(summary.path, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { format: string; files: { name: string; size: number; sha256: string }[] };
  manifest.format = 'burrow-backup/1';
  manifest.files = manifest.files.map((f) => (f.name === 'contents.age' ? { ...f, size: sealed.length, sha256: sha256(sealed) } : f));
  writeFileSync(manifestPath, JSON.stringify(manifest));

  const verified = await verifyBackup(summary.path, identity);
  assert.equal(verified.manifest.format, 'burrow-backup/1');
  assert.equal(verified.decrypted?.blobs, summary.blobs);
  const store = createMemoryBlobs();
  const restored = await restoreBackup({ dir: summary.path, identity, config: await emptyTarget(t), blobs: store });
  assert.equal(restored.blobs, summary.blobs);
  for (const [key, bytes] of blobs) assert.ok(Buffer.from((await store.get(key)) ?? []).equals(Buffer.from(bytes)), key);
});

test('contents.age of a new backup is burrow-backup/2: one line a blob, in pack order, closed by its counts', async () => {
  const { summary, identity } = await backupNow();
  const opened = await openBackup(summary.path, identity);
  assert.equal(opened.manifest.format, 'burrow-backup/2');
  const contents = await readContents(await opened.decrypt('contents.age'), 'burrow-backup/2');
  const keys: string[] = [];
  for await (const entry of contents.blobs) keys.push(entry.key);
  const listed = (await server.db.selectFrom('blobs').select(['family_id', 'hash']).execute()).map((r) => `${r.family_id}/${r.hash}`);
  assert.deepEqual([...keys].sort(), listed.sort(), 'every blob the database lists, once');
  assert.equal(keys.length, summary.blobs);
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function burrow(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [...nodeEntry(root, 'packages/server/src/cli.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the CLI: keygen, backup with a summary, verify with and without the key, restore into an empty installation', async () => {
  const dir = mkdtempSync(join(scratch, 'cli-'));
  const identityFile = join(dir, 'operator.key');
  const keygen = burrow(['backup', 'keygen', '--identity', identityFile], {});
  assert.equal(keygen.code, 0, keygen.out);
  assert.equal(statSync(identityFile).mode & 0o777, 0o600);
  const recipient = /Recipient \(give this to the server\): (age1\w+)/.exec(keygen.out)?.[1] ?? '';

  const source: Record<string, string> =
    server.config.database.kind === 'postgres'
      ? { BURROW_DATA_DIR: server.dataDir, BURROW_DATABASE_URL: server.config.database.url }
      : { BURROW_DATA_DIR: server.dataDir };
  const made = burrow(['backup', '--recipient', recipient, '--out', join(dir, 'backups')], source);
  assert.equal(made.code, 0, made.out);
  assert.match(made.out, new RegExp(`${String(await listedBlobs())} blobs \\(`));
  const n = await listedBlobs();
  assert.ok(made.out.includes(`blobs: ${String(n)}/${String(n)} done`), made.out);
  const path = /Backup written: (\S+)/.exec(made.out)?.[1] ?? '';

  const quick = burrow(['backup', 'verify', path], {});
  assert.equal(quick.code, 0, quick.out);
  assert.match(quick.out, /3 files match manifest\.json/);
  const full = burrow(['backup', 'verify', path, '--identity', identityFile], {});
  assert.equal(full.code, 0, full.out);
  assert.ok(full.out.includes(`${String(n)} blobs, every hash matches`), full.out);

  const target: Record<string, string> = { BURROW_DATA_DIR: join(dir, 'restored') };
  let dropUrl: string | null = null;
  const adminUrl = server.config.database.kind === 'postgres' ? server.config.database.url : '';
  if (server.config.database.kind === 'postgres') {
    const url = new URL(server.config.database.url);
    const name = `burrow_restore_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: server.config.database.url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    url.pathname = `/${name}`;
    target.BURROW_DATABASE_URL = dropUrl = url.toString();
  }
  try {
    const restored = burrow(['restore', path, '--identity', identityFile], target);
    assert.equal(restored.code, 0, restored.out);
    assert.match(restored.out, new RegExp(`${String(n)} blobs .* every hash verified`));
    for (const [key, bytes] of blobs)
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'restored', 'blobs', ...key.split('/')))), bytes);
    const twice = burrow(['restore', path, '--identity', identityFile], target);
    assert.equal(twice.code, 1);
    assert.match(twice.out, /empty/);
  } finally {
    if (dropUrl) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${new URL(dropUrl).pathname.slice(1)} with (force)`);
      await admin.end();
    }
  }
});
