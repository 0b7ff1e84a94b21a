/**
 * Consistent database snapshots and their restore, per dialect.
 *
 * - SQLite: `VACUUM INTO` writes a transactionally consistent copy of the live database (readers and
 *   the WAL writer keep going), which is the file we back up; restore writes it back as the file.
 * - PostgreSQL: `pg_dump --format=custom` (one transaction, a consistent snapshot); restore is
 *   `pg_restore` into an empty database. The password travels in PGPASSWORD, never in argv.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import { BackupError } from './format.js';

/** A libpq connection: the URL without its password, and the password for PGPASSWORD. */
function libpqTarget(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          e.code === 'ENOENT'
            ? `${command} is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client).`
            : `${command} failed to start: ${e.message}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new BackupError(`${command} exited with ${String(code)}: ${err.trim().slice(0, 500)}`));
    });
    child.stdin.on('error', () => undefined); // an early exit is reported by 'close'
    child.stdin.end(input);
  });
}

/** A snapshot of the database and the blob keys it references. */
export interface DatabaseSnapshot {
  bytes: Uint8Array;
  blobKeys: string[];
}

/** Takes the snapshot. `scratch` is a 0700 folder for the SQLite copy (removed afterwards by the caller). */
export async function snapshotDatabase(
  config: DatabaseConfig,
  db: Db,
  scratch: string,
): Promise<DatabaseSnapshot> {
  if (config.kind === 'sqlite') {
    const path = join(scratch, 'snapshot.db');
    await sql.raw(`VACUUM INTO '${path.replace(/'/g, "''")}'`).execute(db);
    // The blob keys come from the snapshot itself, so they match the database exactly.
    const copy = new Database(path, { readonly: true });
    let rows: { family_id: string; hash: string }[];
    try {
      rows = copy.prepare('select family_id, hash from blobs order by family_id, hash').all() as typeof rows;
    } finally {
      copy.close();
    }
    const bytes = new Uint8Array(readFileSync(path));
    rmSync(path, { force: true });
    return { bytes, blobKeys: rows.map((r) => `${r.family_id}/${r.hash}`) };
  }
  const target = libpqTarget(config.url);
  const dump = await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--dbname=${target.url}`], target.env);
  // Keys listed after the dump: a superset of the dump's, minus blobs deleted meanwhile (retention).
  const rows = await db.selectFrom('blobs').select(['family_id', 'hash']).orderBy('family_id').orderBy('hash').execute();
  return { bytes: new Uint8Array(dump), blobKeys: rows.map((r) => `${r.family_id}/${r.hash}`) };
}

/** Throws unless the target database is empty: a restore never overwrites data. */
export async function assertDatabaseEmpty(config: DatabaseConfig): Promise<void> {
  if (config.kind === 'sqlite') {
    for (const suffix of ['', '-wal'])
      if (existsSync(config.path + suffix) && statSync(config.path + suffix).size > 0)
        throw new BackupError(
          `${config.path + suffix} already exists. Restore only into an empty installation: move the old data folder aside (keep it as evidence) first.`,
        );
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from information_schema.tables where table_schema = 'public'",
    );
    if (Number(rows[0]?.n ?? 0) > 0)
      throw new BackupError(
        'The target PostgreSQL database has tables. Restore only into an empty database: create a new one (CREATE DATABASE …) and point BURROW_DATABASE_URL at it.',
      );
  } finally {
    await client.end();
  }
}

/** Writes the snapshot into the (empty) target database. */
export async function restoreDatabase(config: DatabaseConfig, bytes: Uint8Array): Promise<void> {
  if (config.kind === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
    writeFileSync(config.path, bytes, { mode: 0o600 });
    return;
  }
  const target = libpqTarget(config.url);
  await run(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${target.url}`],
    target.env,
    bytes,
  );
}
