/**
 * Backups stream: `burrow backup`, `backup verify --identity` and `restore` each run as a child
 * process whose peak resident memory (VmHWM) grows by less than the database's size, and the
 * restore gives back the same data. On SQLite, and on PostgreSQL when BURROW_TEST_PG_URL is set.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createFsBlobs } from '../blobs/index.js';
import { migrate, openDb, unrecorded, type Db } from '../db/index.js';
import { generateBackupIdentity } from './keys.js';

/**
 * The limit on what the data may add to each command's peak RSS, over the same command on an empty
 * installation. The database and the blobs are each seeded past it, so neither could be held whole.
 *
 * Why 96 MB and not less: a command that streams still leaves its spent buffers to the garbage
 * collector, and V8 lets external memory (every Buffer's bytes) grow by up to 64 MB past what the
 * last full collection left before it collects again. Streaming commands measured +28 to +63 MB
 * (2 December: PostgreSQL backup +62, restore +63 on a quiet machine, and a SQLite restore +67 in CI
 * before it stopped copying each read-back blob), so a 64 MB limit failed a command that holds
 * nothing; holding the database or the blobs whole would add 105 MB or more on top of that garbage.
 */
const GROWTH_LIMIT = 96 * 1024 * 1024;
// The database and the blobs are each just far enough past GROWTH_LIMIT: every extra megabyte is
// CPU time in CI. SQLite's file is the data plus its pages (≈ 1.15× the seeded bytes); PostgreSQL's
// size is the pg_dump's, which compresses the hex to about 58 %.
const DATABASE_BYTES = { sqlite: 92 * 1024 * 1024, postgres: 180 * 1024 * 1024 };
const BLOB_BYTES = 1024 * 1024;
const BLOBS = 104;

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'burrow-backup-streaming-'));
const pgUrl = process.env.BURROW_TEST_PG_URL || null;
const dropAfter: string[] = [];
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (pgUrl && dropAfter.length > 0) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    for (const name of dropAfter) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});

/**
 * The CLI as one node process: its compiled twin where npm test compiled the tree (scripts/build-tests.mjs),
 * else the source with tsx as a loader (not a wrapper, so the sampled process is the one doing the work).
 */
const cli = existsSync(join(root, 'packages/server/src/cli.js')) ? ['packages/server/src/cli.js'] : ['--import', 'tsx', 'packages/server/src/cli.ts'];

/** Runs the burrow CLI and samples its VmHWM. */
function burrow(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let out = '';
    let peakRss = 0;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const sample = (): void => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(child.pid)}/status`, 'utf8'))?.[1];
        if (kb) peakRss = Math.max(peakRss, Number(kb) * 1024);
      } catch {
        // the process is gone: the last sample stands (VmHWM only grows)
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, out, peakRss });
    });
  });
}

async function createPgDatabase(): Promise<string> {
  const name = `burrow_stream_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl ?? '' });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  dropAfter.push(name);
  const url = new URL(pgUrl ?? '');
  url.pathname = `/${name}`;
  return url.toString();
}

/** Seeds audit rows of incompressible-looking hex (bulk SQL, not the API) and 1 MB blobs. */
async function seed(db: Db, dialect: 'sqlite' | 'postgres', dataDir: string): Promise<void> {
  const rows = Math.ceil(DATABASE_BYTES[dialect] / 4096);
  // Each engine's own bulk SQL: the test's seeding, not a query of the product (db/query-shapes.ts).
  await unrecorded(async () => {
    if (dialect === 'sqlite')
      await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${rows})
        insert into audit_events (at, action, status, resource) select i, 'seed', 200, hex(randomblob(2048)) from n`.execute(db);
    else
      await sql`insert into audit_events (at, action, status, resource)
        select i, 'seed', 200, (select string_agg(md5(random()::text || i::text || j::text), '') from generate_series(1, 128) j)
        from generate_series(1, ${rows}) i`.execute(db);
  });
  await db.insertInto('families').values({ id: 'fam', created_at: 0 }).execute();
  const blobs = createFsBlobs(join(dataDir, 'blobs'));
  for (let i = 0; i < BLOBS; i++) {
    const bytes = new Uint8Array(randomBytes(BLOB_BYTES));
    const hash = createHash('sha256').update(bytes).digest('base64url');
    await blobs.put(`fam/${hash}`, bytes);
    await db.insertInto('blobs').values({ family_id: 'fam', hash, size: BLOB_BYTES, uploaded_by: 'dev', created_at: 0 }).execute();
  }
}

/** SHA-256 over the audit rows and blob rows in order, read a page at a time. */
async function digest(db: Db): Promise<{ rows: number; sha256: string }> {
  const hash = createHash('sha256');
  let rows = 0;
  for (let last = -1; ; ) {
    const page = await db.selectFrom('audit_events').select(['id', 'at', 'resource']).where('id', '>', last).orderBy('id').limit(2000).execute();
    if (page.length === 0) break;
    for (const r of page) hash.update(`${String(r.id)}|${String(r.at)}|${r.resource ?? ''}\n`);
    rows += page.length;
    last = Number(page[page.length - 1]?.id);
  }
  for (const b of await db.selectFrom('blobs').select(['family_id', 'hash', 'size']).orderBy('hash').execute()) hash.update(`${b.family_id}/${b.hash}/${String(b.size)}\n`);
  return { rows, sha256: hash.digest('hex') };
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;

type Step = 'backup' | 'verify' | 'restore';
type Ran = Record<Step, { code: number | null; out: string; peakRss: number }> & { backupPath: string; target: Record<string, string> };

/** Backup of `source`, verify of that backup, restore into a new target: each one CLI process, sampled. */
async function backupVerifyRestore(source: Record<string, string>, identityFile: string, recipient: string, label: string): Promise<Ran> {
  const backup = await burrow(['backup', '--recipient', recipient, '--out', join(scratch, `backups-${label}`)], source);
  assert.equal(backup.code, 0, backup.out);
  const backupPath = /Backup written: (\S+)/.exec(backup.out)?.[1] ?? '';
  const verify = await burrow(['backup', 'verify', backupPath, '--identity', identityFile], {});
  assert.equal(verify.code, 0, verify.out);
  const target: Record<string, string> = { BURROW_DATA_DIR: join(scratch, `restored-${label}`) };
  if (pgUrl) target.BURROW_DATABASE_URL = await createPgDatabase();
  const restore = await burrow(['restore', backupPath, '--identity', identityFile], target);
  assert.equal(restore.code, 0, restore.out);
  return { backup, verify, restore, backupPath, target };
}

test(`backup, verify and restore of a database and blobs bigger than ${mb(GROWTH_LIMIT)} each add under ${mb(GROWTH_LIMIT)} to peak RSS, and restore the same data`, async () => {
  const dialect = pgUrl ? 'postgres' : 'sqlite';
  const dataDir = join(scratch, 'source');
  const source: Record<string, string> = { BURROW_DATA_DIR: dataDir };
  if (pgUrl) source.BURROW_DATABASE_URL = await createPgDatabase();
  const opened = openDb(pgUrl ? { kind: 'postgres', url: source.BURROW_DATABASE_URL ?? '' } : { kind: 'sqlite', path: join(dataDir, 'burrow.db') });
  await migrate(opened.db, opened.dialect);

  const { identity, recipient } = await generateBackupIdentity();
  const identityFile = join(scratch, 'operator.key');
  writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 });

  // Each command's baseline is the same command on the empty installation: node, the modules it loads
  // and its fixed buffers. What the data adds over that is what it makes the command hold (against
  // `backup --help` the lazily loaded modules alone moved the figure by 25-30 MB between runs).
  const empty = await backupVerifyRestore(source, identityFile, recipient, 'empty');
  await seed(opened.db, dialect, dataDir);
  const before = await digest(opened.db);
  await opened.db.destroy();
  const full = await backupVerifyRestore(source, identityFile, recipient, 'full');

  const databaseMb = Number(/database ([\d.]+) MB/.exec(full.backup.out)?.[1]);
  const blobsMb = Number(/blobs \(([\d.]+) MB\)/.exec(full.backup.out)?.[1]);
  assert.ok(databaseMb * 1024 * 1024 > GROWTH_LIMIT && blobsMb * 1024 * 1024 > GROWTH_LIMIT, full.backup.out);
  const steps: Step[] = ['backup', 'verify', 'restore'];
  console.log(
    `${dialect}: database ${String(databaseMb)} MB, blobs ${String(blobsMb)} MB; peak RSS, empty → full: ` +
      steps.map((step) => `${step} ${mb(empty[step].peakRss)} → ${mb(full[step].peakRss)}`).join(', '),
  );
  for (const step of steps) {
    assert.ok(empty[step].peakRss > 0);
    const grew = full[step].peakRss - empty[step].peakRss;
    assert.ok(grew < GROWTH_LIMIT, `${step}: peak RSS ${mb(full[step].peakRss)}, ${mb(grew)} over the same command on an empty installation`);
  }

  const back = openDb(pgUrl ? { kind: 'postgres', url: full.target.BURROW_DATABASE_URL ?? '' } : { kind: 'sqlite', path: join(scratch, 'restored-full', 'burrow.db') });
  try {
    assert.deepEqual(await digest(back.db), before, 'the restored rows are the backed-up rows, byte for byte');
  } finally {
    await back.db.destroy();
  }
});
