/**
 * Writes the audit trail cheaply: events are queued in memory and inserted in one multi-row INSERT
 * per flush (every `flushMs`, or at once when `maxBatch` are waiting), never on the request's path.
 * Blob downloads and receipts name a message, not a family: the family is looked up for the whole
 * batch in one query at flush. A failed flush is logged and its events dropped (the audit trail
 * must never take the service down); `close()` flushes what is left.
 */
import type { Logger } from 'pino';
import { logIpPage, type IpPage } from '../accounts/index.js';
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
 * Fades (accounts/ip-fade.ts) the client addresses of audit events older than `before()`: one page of
 * the daily maintenance's job, a window of ids in the log's time order (accounts/log-ip-page.ts). The
 * anomaly detectors and incident scoping compare full addresses within hours or days; after the keep
 * period a /24 or /48 is enough.
 */
export function fadeAuditIps(db: Db, before: () => number): IpPage<number> {
  return logIpPage(db, 'audit_events', before, (trx, ip, ids) => trx.updateTable('audit_events').set({ ip }).where('id', 'in', ids).execute());
}
