/**
 * Writes the audit trail cheaply: events are queued in memory and inserted in one multi-row INSERT
 * per flush (every `flushMs`, or at once when `maxBatch` are waiting), never on the request's path.
 * Blob downloads and receipts name a message, not a family: the family is looked up for the whole
 * batch in one query at flush. A failed flush is logged and its events dropped (the audit trail
 * must never take the service down); `close()` flushes what is left.
 */
import type { Logger } from 'pino';
import { countFaded, fadedGroups, type IpPage } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { AuditEventsTable, Db } from '../db/index.js';
import { chunkedInsert } from '../db/chunked-insert.js';

export type AuditEvent = Omit<AuditEventsTable, 'id'>;

export interface AuditRecorder {
  record(event: AuditEvent): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Deletes events older than the retention period, in batches; returns how many. */
  prune(): Promise<number>;
  /**
   * Deletes up to `limit` of the oldest events past the retention period (one short statement, by
   * the `at` index); returns how many. The daily maintenance (maintenance/) calls it in batches.
   */
  pruneBatch(limit: number): Promise<number>;
  close(): Promise<void>;
  stats(): { recorded: number; written: number; dropped: number; flushes: number };
}

export interface AuditRecorderOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  flushMs?: number;
  maxBatch?: number;
  retentionMs: number;
}

const MESSAGE_ACTIONS = new Set(['read_blob', 'send_receipt']);
/** The batch's rows, in chunks of fixed sizes whose statements are built once (db/chunked-insert.ts). */
const insertEvents = chunkedInsert<AuditEvent>(
  ['at', 'action', 'status', 'account_id', 'device_id', 'session_ref', 'ip', 'family_id', 'resource'],
  (db, rows) => db.insertInto('audit_events').values(rows),
);
/** Rows per prune statement: a few milliseconds each on SQLite, so requests wait little. */
const PRUNE_BATCH = 1000;

export function createAuditRecorder({ db, clock, log, flushMs = 200, maxBatch = 500, retentionMs }: AuditRecorderOptions): AuditRecorder {
  let queue: AuditEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const counts = { recorded: 0, written: 0, dropped: 0, flushes: 0 };

  async function write(batch: AuditEvent[]): Promise<void> {
    const ids = [...new Set(batch.filter((e) => e.family_id === null && e.resource !== null && MESSAGE_ACTIONS.has(e.action)).map((e) => e.resource as string))];
    if (ids.length > 0) {
      const rows = await db.selectFrom('messages').select(['id', 'family_id']).where('id', 'in', ids).execute();
      const familyOf = new Map(rows.map((r) => [r.id, r.family_id]));
      for (const e of batch) if (e.family_id === null && e.resource !== null && MESSAGE_ACTIONS.has(e.action)) e.family_id = familyOf.get(e.resource) ?? null;
    }
    await insertEvents(db, batch);
  }

  // One bounded statement, never the whole month at once (3.8 s with every SQLite request waiting).
  async function pruneBatch(limit: number): Promise<number> {
    const oldest = db.selectFrom('audit_events').select('id').where('at', '<', clock.now() - retentionMs).orderBy('at').limit(limit);
    const result = await db.deleteFrom('audit_events').where('id', 'in', oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return running;
    // Flushes run one after another, so rows land in the order they were recorded.
    running = running.then(async () => {
      counts.flushes++;
      try {
        await write(batch);
        counts.written += batch.length;
      } catch (err) {
        counts.dropped += batch.length;
        log.error({ err: err instanceof Error ? err.message : String(err), events: batch.length }, 'audit trail write failed');
      }
    });
    return running;
  }

  return {
    record(event) {
      counts.recorded++;
      queue.push(event);
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    flush,
    pruneBatch,
    async prune() {
      let total = 0;
      for (;;) {
        const n = await pruneBatch(PRUNE_BATCH);
        total += n;
        if (n < PRUNE_BATCH) return total;
        await new Promise((resolve) => setImmediate(resolve)); // let waiting requests in between
      }
    },
    async close() {
      await flush();
    },
    stats: () => ({ ...counts }),
  };
}

/**
 * Fades (accounts/ip-fade.ts) the client addresses of up to `limit` events older than `before()`,
 * after id `after`: one page of the daily maintenance's job. The anomaly detectors and incident
 * scoping compare full addresses within hours or days; after the keep period a /24 or /48 is enough.
 */
export function fadeAuditIps(db: Db, before: () => number): IpPage<number> {
  return async (after, limit) => {
    // A page is a window of `limit` ids, not `limit` matching rows: "at < cut-off, by id, limit n"
    // walked the key past every recent row at the end of a pass (a month of the log in one statement),
    // where a window reads at most `limit` rows whatever their age. The ends are two key lookups.
    // Two scalar subqueries: SQLite answers a lone min() or max() from the key's ends, but both in
    // one select scan the whole table (EXPLAIN QUERY PLAN: SCAN … USING COVERING INDEX).
    const ends = await db
      .selectNoFrom((eb) => [
        eb.selectFrom('audit_events').select((e) => e.fn.min('id').as('id')).as('first'),
        eb.selectFrom('audit_events').select((e) => e.fn.max('id').as('id')).as('last'),
      ])
      .executeTakeFirst();
    const last = Number(ends?.last ?? 0);
    const from = after ?? Math.max(0, Number(ends?.first ?? 1) - 1);
    const to = Math.min(from + limit, last);
    const cutOff = before();
    const window = await db.selectFrom('audit_events').select(['id', 'ip', 'at']).where('id', '>', from).where('id', '<=', to).orderBy('id').execute();
    // The log is in time order: the pass ends at its first row still within the keep period, and the
    // next pass (the next day) starts there. Stepping over it would leave it whole for good once the
    // job's cursor (accounts/ip-fade.ts) moved past it.
    const recent = window.findIndex((row) => Number(row.at) >= cutOff);
    const rows = recent < 0 ? window : window.slice(0, recent);
    const groups = fadedGroups(rows);
    if (groups.size > 0)
      await db.transaction().execute(async (trx) => {
        for (const [ip, ids] of groups) await trx.updateTable('audit_events').set({ ip }).where('id', 'in', ids).execute();
      });
    if (recent >= 0) return { lastId: recent === 0 ? from : Number(rows.at(-1)!.id), scanned: recent, faded: countFaded(groups) };
    // The window's width is what was looked at: short only at the newest id, which ends the pass.
    return { lastId: Math.max(from, to), scanned: Math.max(0, to - from), faded: countFaded(groups) };
  };
}
