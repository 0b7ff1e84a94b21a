/**
 * A migrated PostgreSQL template for test servers. Running every migration for each test server
 * cost ~0.5–0.9 s (and PostgreSQL's CPU besides) at every start on the PostgreSQL lane; copying an
 * already-migrated database (CREATE DATABASE … TEMPLATE) costs ~0.2 s. The template is named after
 * a hash of the database code (packages/server/src/db, migrations included), so any change to a
 * migration makes a new one, and engineers running different branches against one server never
 * share a stale schema. startTestServer still runs `migrate` on the copy: a no-op when the
 * template is current.
 */
import pg from 'pg';
import { migrate, openDb } from '../db/index.js';
import { schemaHash } from './schema-hash.js';

/** Runs `fn` with a client on the admin URL (or the `postgres` database when that one is missing). */
async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const attempt = async (url: string): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  try {
    return await attempt(adminUrl);
  } catch (err) {
    if ((err as { code?: unknown }).code !== '3D000') throw err;
    const fallback = new URL(adminUrl);
    fallback.pathname = '/postgres';
    return attempt(fallback.toString());
  }
}

const made = new Map<string, Promise<string>>();

/**
 * The name of a migrated template database on the server at `adminUrl`, made on first use. Test
 * files run in parallel processes: an advisory lock lets one of them build it while the others
 * wait. A template is marked `is_template` only once fully migrated, so a build cut short (a
 * killed run) is dropped and made again.
 */
export function migratedTemplate(adminUrl: string): Promise<string> {
  let name = made.get(adminUrl);
  if (name === undefined) {
    name = build(adminUrl);
    made.set(adminUrl, name);
    name.catch(() => made.delete(adminUrl));
  }
  return name;
}

async function build(adminUrl: string): Promise<string> {
  const hash = schemaHash();
  const name = `burrow_tpl_${hash.slice(0, 16)}`;
  const lockKey = Number.parseInt(hash.slice(0, 12), 16);
  await withAdmin(adminUrl, async (admin) => {
    await admin.query('select pg_advisory_lock($1)', [lockKey]);
    try {
      const found = await admin.query<{ datistemplate: boolean }>(
        'select datistemplate from pg_database where datname = $1',
        [name],
      );
      if (found.rows[0]?.datistemplate === true) return;
      if (found.rows.length > 0) await admin.query(`drop database ${name} with (force)`);
      await admin.query(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const { db, dialect } = openDb({ kind: 'postgres', url: url.toString() });
      try {
        await migrate(db, dialect);
      } finally {
        await db.destroy();
      }
      await admin.query(`alter database ${name} is_template true`);
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [lockKey]);
    }
    await dropStaleTemplates(admin, name);
  });
  return name;
}

/** A template of another hash is left alone this long after it was made (or last rebuilt). */
const STALE_AFTER_S = 3600;

/**
 * Drops the templates of other versions of db/ (one per change to a migration, so they piled up:
 * 16 on one machine) that are older than an hour and have no connection. Called after a new
 * template was made, so a branch that keeps its schema never pays for it. Several test processes
 * (on several branches) race on one server, so each drop is guarded: the template's own build
 * lock, taken without waiting (a process building or rebuilding it holds it), and a plain DROP
 * (no FORCE), which PostgreSQL refuses while anyone is connected, including a CREATE DATABASE …
 * TEMPLATE copying it. A template dropped under a process that had already looked it up is made
 * again there (start-test-server forgets it and retries once).
 */
async function dropStaleTemplates(admin: pg.Client, keep: string): Promise<void> {
  let stale: { datname: string }[];
  try {
    // A database records no creation time; its PG_VERSION file is written once, when it is made.
    // pg_stat_file needs a superuser (or pg_read_server_files): without it nothing is dropped.
    stale = (
      await admin.query<{ datname: string }>(
        `select d.datname from pg_database d
          where d.datname ~ '^burrow_tpl_[0-9a-f]{16}$' and d.datname <> $1 and d.datistemplate
            and (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - make_interval(secs => $2)
            and not exists (select 1 from pg_stat_activity a where a.datid = d.oid)`,
        [keep, STALE_AFTER_S],
      )
    ).rows;
  } catch {
    return;
  }
  for (const { datname } of stale) {
    const lockKey = Number.parseInt(datname.slice('burrow_tpl_'.length, 'burrow_tpl_'.length + 12), 16);
    const locked = await admin.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [lockKey]);
    if (locked.rows[0]?.ok !== true) continue;
    try {
      // A template cannot be dropped; unmarking it first keeps new copies from starting meanwhile.
      await admin.query(`alter database ${datname} is_template false`);
      await admin.query(`drop database ${datname}`);
    } catch {
      // Someone connected between the check and the drop (or it is gone already): theirs to keep.
      await admin.query(`alter database ${datname} is_template true`).catch(() => undefined);
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [lockKey]);
    }
  }
}

/**
 * Forgets this process's template for `adminUrl`, so the next `migratedTemplate` looks again (and
 * makes it if missing): for a copy that failed because another process dropped the template as
 * stale after this one had looked it up.
 */
export function forgetTemplate(adminUrl: string): void {
  made.delete(adminUrl);
}
