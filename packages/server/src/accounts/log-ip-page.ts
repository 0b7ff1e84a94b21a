/**
 * One page of the daily address fade (ip-fade.ts) over a log kept in time order by its integer key:
 * the security log (security-events.ts) and the audit trail (audit/recorder.ts), each of which calls
 * it for its own table. Written once because the two copies had to stay in step. Reading is by the
 * table's name; writing stays with the owner (`fade`, db/owners.test.ts): one UPDATE per network.
 */
import type { Transaction } from 'kysely';
import type { Database, Db } from '../db/index.js';
import { countFaded, fadedGroups, type IpPage } from './ip-fade.js';

/** The logs faded this way: an integer `id` in time order, a client `ip` and the time `at`. */
export type TimeOrderedLog = 'security_events' | 'audit_events';

/** The owner's write: sets `ip` (a faded network) on the events `ids`, in the page's transaction. */
export type FadeIps = (trx: Transaction<Database>, ip: string, ids: number[]) => Promise<unknown>;

/**
 * Fades the addresses of events older than `before()`. A page is a window of `limit` ids after
 * `after`, not "at < cut-off, by id, limit n", which walked every recent event of the log in the last
 * page of a pass (there is no index on `at` alone): a window reads at most `limit` rows whatever their
 * age. The log is in time order, so a pass ends at its first event still within the keep period and
 * the next pass (the next day) starts there.
 */
export function logIpPage(db: Db, table: TimeOrderedLog, before: () => number, fade: FadeIps): IpPage<number> {
  return async (after, limit) => {
    // The ends are two key lookups. Two scalar subqueries: SQLite answers a lone min() or max() from
    // the key's ends, but both in one select scan the whole table (EXPLAIN QUERY PLAN: SCAN … USING
    // COVERING INDEX).
    const ends = await db
      .selectNoFrom((eb) => [
        eb.selectFrom(table).select((e) => e.fn.min('id').as('id')).as('first'),
        eb.selectFrom(table).select((e) => e.fn.max('id').as('id')).as('last'),
      ])
      .executeTakeFirst();
    const last = Number(ends?.last ?? 0);
    const from = after ?? Math.max(0, Number(ends?.first ?? 1) - 1);
    const to = Math.min(from + limit, last);
    const cutOff = before();
    const window = await db.selectFrom(table).select(['id', 'ip', 'at']).where('id', '>', from).where('id', '<=', to).orderBy('id').execute();
    // Stepping over a recent event would leave it whole for good once the job's cursor moved past it.
    const recent = window.findIndex((row) => Number(row.at) >= cutOff);
    const rows = recent < 0 ? window : window.slice(0, recent);
    const groups = fadedGroups(rows);
    if (groups.size > 0)
      await db.transaction().execute(async (trx) => {
        for (const [ip, ids] of groups) await fade(trx, ip, ids);
      });
    if (recent >= 0) return { lastId: recent === 0 ? from : Number(rows.at(-1)!.id), scanned: recent, faded: countFaded(groups) };
    // The window's width is what was looked at: short only at the newest id, which ends the pass.
    return { lastId: Math.max(from, to), scanned: Math.max(0, to - from), faded: countFaded(groups) };
  };
}
