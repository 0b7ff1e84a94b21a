/**
 * What the daily maintenance finds at CloudPets' size (issue #12): an audit trail of 4 M rows a
 * year (one month of it past the 365-day retention) and 959 of every 1,000 sessions expired — the
 * issue's own figures, scaled — plus stale throttle rows (one for every ten accounts: our guess; the
 * issue gives none). Written with set-based SQL on either engine; the seeded clones' sessions are the
 * ones made to expire (the template's stay live, so the timed requests still sign in).
 */
import { sql } from 'kysely';
import type { Db, Dialect } from '../../packages/server/src/db/schema.js';

export interface Backlog {
  auditRows: number;
  auditPastRetention: number;
  sessionsExpired: number;
  throttleRows: number;
}

const DAY = 24 * 60 * 60 * 1000;

export async function seedBacklog(serving: Db, dialect: Dialect, { scale, now, keepAccounts }: { scale: number; now: number; keepAccounts: string[] }): Promise<Backlog> {
  // Each statement in a write transaction from its start (BEGIN IMMEDIATE on SQLite): an insert that
  // reads first would otherwise fail with SQLITE_BUSY_SNAPSHOT after another connection's write.
  const db = { execute: <T>(q: { execute: (d: Db) => Promise<T> }) => serving.transaction().execute((trx) => q.execute(trx)) };
  const auditRows = Math.round(4_000_000 * scale);
  const span = 395 * DAY; // a year kept, a month past it
  // n rows numbered 0..n-1: a recursive CTE on SQLite, generate_series on PostgreSQL.
  const numbers = (n: number) =>
    dialect === 'sqlite'
      ? sql`with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ${n}) select i from n`
      : sql`select i from generate_series(0, ${n - 1}::bigint) as i`;
  for (let start = 0; start < auditRows; start += 200_000) {
    const n = Math.min(200_000, auditRows - start);
    await db.execute(sql`insert into audit_events (at, action, status, account_id, device_id, session_ref, ip, family_id, resource)
      select ${now - span} + (i + ${start}) * ${Math.floor(span / auditRows)}, 'read_messages', 200,
        'acct' || ((i + ${start}) % 50000), 'dev' || ((i + ${start}) % 90000), 'sess' || ((i + ${start}) % 70000),
        '10.' || ((i + ${start}) % 250) || '.0.1', 'fam' || ((i + ${start}) % 45000), null
      from (${numbers(n)}) as numbers`);
  }
  const auditPastRetention = Number(
    (await db.execute(sql<{ n: number }>`select count(*) as n from audit_events where at < ${now - 365 * DAY}`)).rows[0]?.n ?? 0,
  );
  // 959 of every 1,000 cloned sessions expired a day ago.
  const pick = dialect === 'sqlite' ? sql`(abs(random()) % 1000) < 959` : sql`random() < 0.959`;
  const expired = await db.execute(sql`update sessions set expires_at = ${now - DAY}
    where ${pick} and account_id not in (${sql.join(keepAccounts)})`);
  const throttleRows = Math.round(821_396 * scale * 0.1);
  await db.execute(sql`insert into auth_throttle (key, failures, window_start, blocked_until)
    select 'log_in:ip:10.9.' || i, 3, ${now - 30 * DAY}, ${now - 29 * DAY} from (${numbers(throttleRows)}) as numbers`);
  return { auditRows, auditPastRetention, sessionsExpired: Number(expired.numAffectedRows ?? 0), throttleRows };
}
