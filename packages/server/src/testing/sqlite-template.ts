/**
 * A migrated SQLite database file for test servers. Each test server's start ran every migration on
 * an empty file: ~0.35 s, mostly the main thread blocked in SQLite's commits, for each of the ~250
 * servers a run starts. A copy of a migrated file costs a few milliseconds. The file is named after
 * the schema hash (schema-hash.ts) and shared by every test process of the machine; it is built under
 * a temporary name and renamed into place, so a reader never sees a half-migrated file, and two
 * processes building it at once both produce the same schema. startTestServer still runs `migrate`
 * on the copy: a no-op when the template is current.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate, openDb, unrecorded } from '../db/index.js';
import { schemaHash } from './schema-hash.js';

const TEMPLATES = join(tmpdir(), 'burrow-test-templates');
let made: Promise<string> | undefined;

/** The path of a migrated template for this checkout's schema, made on first use. */
function migratedSqliteTemplate(): Promise<string> {
  return (made ??= build().catch((err: unknown) => {
    made = undefined;
    throw err;
  }));
}

async function build(): Promise<string> {
  const path = join(TEMPLATES, `burrow-${schemaHash().slice(0, 16)}.db`);
  if (existsSync(path)) return path;
  mkdirSync(TEMPLATES, { recursive: true });
  const building = `${path}.${randomBytes(6).toString('hex')}.building`;
  const { db, dialect } = openDb({ kind: 'sqlite', path: building });
  try {
    await migrate(db, dialect);
    // Everything into the main file, so the file alone is the whole database. SQLite's own command,
    // kept out of the query shapes both lanes must run (db/query-shapes.ts), as db/erase.ts does.
    await unrecorded(() => sql`pragma wal_checkpoint(truncate)`.execute(db));
  } finally {
    await db.destroy();
  }
  renameSync(building, path);
  for (const leftover of ['-wal', '-shm']) rmSync(`${building}${leftover}`, { force: true });
  return path;
}

/** Puts a migrated database at `path` (which must not exist yet). */
export async function copyMigratedSqlite(path: string): Promise<void> {
  copyFileSync(await migratedSqliteTemplate(), path);
}
