/**
 * A scratch database for tests of a store or a query plan that need no server: migrated SQLite in a
 * fresh temp folder, or — when BURROW_TEST_PG_URL is set — a fresh PostgreSQL database copied from
 * the migrated template (createPgDatabase), dropped again by `close`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '../config.js';
import { migrate, openDb, type Db, type Dialect } from '../db/index.js';
import { createPgDatabase } from './start-test-server.js';

export interface ScratchDb {
  db: Db;
  dialect: Dialect;
  /** Where it is, for code that opens its own connection (a backup's snapshot). */
  config: DatabaseConfig;
  /** The temp folder (SQLite's file is `burrow.db` in it): free for the test's own files too. */
  dir: string;
  /** Closes the connection, drops the PostgreSQL database and removes the folder. */
  close(): Promise<void>;
}

/** Opens and migrates a scratch database; `label` names its temp folder (`burrow-<label>-…`). */
export async function openScratchDb(
  label: string,
  pgUrl: string | null = process.env.BURROW_TEST_PG_URL || null,
): Promise<ScratchDb> {
  const dir = mkdtempSync(join(tmpdir(), `burrow-${label}-`));
  let drop: () => Promise<void> = () => Promise.resolve();
  let db: Db | null = null;
  const close = async (): Promise<void> => {
    try {
      await db?.destroy();
      await drop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    let config: DatabaseConfig;
    if (pgUrl) {
      const created = await createPgDatabase(pgUrl);
      drop = created.drop;
      config = { kind: 'postgres', url: created.url };
    } else config = { kind: 'sqlite', path: join(dir, 'burrow.db') };
    let dialect: Dialect;
    ({ db, dialect } = openDb(config));
    await migrate(db, dialect);
    return { db, dialect, config, dir, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
