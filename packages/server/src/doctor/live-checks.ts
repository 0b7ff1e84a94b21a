/**
 * The doctor's checks of the living installation, run by `burrow doctor` only (not at start-up,
 * where the server migrates and then listens itself): can the database be reached, are its
 * migrations the ones this code knows, and does a running server answer /healthz and /readyz.
 *
 * They never change anything: SQLite is opened only if its file exists (opening creates it), and
 * neither the file's mode nor the schema is touched.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'libsql';
import pg from 'pg';
import type { Config } from '../load-config.js';
import { migrationsFor } from '../db/index.js';
import type { Finding } from './finding.js';

/** What a live check found: findings, and lines that say what was checked and is fine. */
export interface LiveResult {
  readonly findings: Finding[];
  readonly passed: string[];
  /** Facts worth a line that are neither a pass nor a problem (e.g. no server running). */
  readonly notes: string[];
}

/** The names of the migrations already applied (Kysely's table), or null if it does not exist yet. */
async function appliedMigrations(config: Config, timeoutMs: number): Promise<string[] | null> {
  if (config.database.kind === 'sqlite') {
    const database = new Database(config.database.path);
    try {
      const table = database.prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
      if (!table) return null;
      return (database.prepare('select name from kysely_migration').all() as { name: string }[]).map((r) => r.name);
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: config.database.url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query<{ t: string | null }>("select to_regclass('kysely_migration')::text as t");
    if (exists.rows[0]?.t == null) return null;
    return (await client.query<{ name: string }>('select name from kysely_migration')).rows.map((r) => r.name);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function where(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.path}`;
  try {
    const url = new URL(config.database.url);
    return `PostgreSQL ${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** Connects to the database and compares its applied migrations with the ones this code has. */
export async function databaseChecks(config: Config, timeoutMs = 3000): Promise<LiveResult> {
  const result: LiveResult = { findings: [], passed: [], notes: [] };
  const place = where(config);
  if (config.database.kind === 'sqlite' && (!existsSync(config.database.path) || statSync(config.database.path).size === 0)) {
    result.notes.push(`database: ${place} does not exist yet; the server creates and migrates it when it starts.`);
    return result;
  }
  let applied: string[] | null;
  try {
    applied = await appliedMigrations(config, timeoutMs);
  } catch (err) {
    result.findings.push({
      check: 'database-connect',
      problem: `${place} cannot be reached: ${err instanceof Error ? err.message : String(err)}`,
      fix: 'Check BURROW_DATABASE_URL (host, port, user, password, database) and that the database server is running and reachable from here.',
      scope: 'always',
    });
    return result;
  }
  const known = Object.keys(migrationsFor(config.database.kind));
  const done = new Set(applied ?? []);
  const pending = known.filter((name) => !done.has(name));
  const unknown = [...done].filter((name) => !known.includes(name));
  if (unknown.length > 0)
    result.findings.push({
      check: 'database-migrations-unknown',
      problem: `${place} has migrations this version of Burrow does not know (${unknown.join(', ')}): it was migrated by a newer version.`,
      fix: 'Run the Burrow version that migrated it (or newer); never run older code against a newer schema.',
      scope: 'always',
    });
  if (pending.length > 0)
    result.findings.push({
      check: 'database-migrations-pending',
      problem: `${place} lacks ${String(pending.length)} of ${String(known.length)} migrations (${pending.join(', ')}).`,
      fix: 'Run `burrow migrate` (the server also migrates when it starts; with several nodes, migrate once before rolling out).',
    });
  if (unknown.length === 0 && pending.length === 0)
    result.passed.push(`database: ${place} answers; all ${String(known.length)} migrations applied.`);
  return result;
}

/** The address a local client reaches the configured listener at. */
export function localUrl(config: Config): string {
  const scheme = config.tls ? 'https' : 'http';
  const host = config.host === '0.0.0.0' || config.host === '::' || config.host === '' ? '127.0.0.1' : config.host;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${String(config.port)}`;
}

/** Asks a running server for /healthz and /readyz. No server listening is a note, not a finding. */
export async function healthChecks(config: Config, timeoutMs = 3000, base = localUrl(config)): Promise<LiveResult> {
  const result: LiveResult = { findings: [], passed: [], notes: [] };
  const answers: string[] = [];
  for (const path of ['/healthz', '/readyz']) {
    let status: number;
    try {
      const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      // A ready node may still be degraded: its bus cannot reach NATS (health/routes.ts).
      const body = path === '/readyz' && status === 200 ? ((await response.json().catch(() => null)) as { status?: unknown; bus?: unknown } | null) : null;
      if (!body) await response.body?.cancel().catch(() => undefined);
      if (body?.status === 'degraded')
        result.findings.push({
          check: 'health',
          problem: `${base}/readyz: degraded: ${typeof body.bus === 'string' ? body.bus : 'a dependency is unreachable'}`,
          fix: 'Check that NATS (BURROW_NATS_URL) runs and this node reaches it. The node serves meanwhile; its devices catch up by themselves once NATS is back.',
          scope: 'always',
        });
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      if (path === '/healthz' && cause === 'ECONNREFUSED') {
        result.notes.push(`health: no server answers at ${base} (not running here, or on another PORT/HOST).`);
        return result;
      }
      result.findings.push({
        check: 'health',
        problem: `${base}${path} did not answer: ${err instanceof Error ? err.message : String(err)}`,
        fix: 'Look at the server’s log; /readyz fails when the database does not answer.',
        scope: 'always',
      });
      return result;
    }
    if (status !== 200)
      result.findings.push({
        check: 'health',
        problem: `${base}${path} answered ${String(status)}, not 200.`,
        fix: 'Look at the server’s log; /readyz fails when the database does not answer.',
        scope: 'always',
      });
    else answers.push(path);
  }
  if (answers.length === 2) result.passed.push(`health: ${base}/healthz and /readyz answer 200.`);
  return result;
}
