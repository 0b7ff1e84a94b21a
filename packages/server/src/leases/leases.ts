/**
 * Scheduled work that runs once across nodes (issue #12 item 3). Every node keeps its own timers;
 * before a run it claims the job's period in the database (store.ts), and only the node that
 * claimed it runs the job. The others skip that period and say so in their log.
 *
 * A claimed row rather than a held lock (such as a PostgreSQL advisory lock): a lock only keeps two
 * runs apart in time, so a node that starts an hour after another would run the daily job again; a
 * claim says "this period is taken" and needs no connection held through a job that takes minutes.
 * A node that dies mid-run leaves its period claimed: the job runs again in the next period.
 * On SQLite (one node) the claim is the same statement and always succeeds once a period.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { claimRun } from './store.js';

/**
 * After a claim that failed (the database did not answer), callers try again after this long,
 * doubling at each further failure up to CLAIM_RETRY_MAX_MS, rather than wait for their next period.
 */
export const CLAIM_RETRY_FIRST_MS = 30_000;
export const CLAIM_RETRY_MAX_MS = 30 * 60 * 1000;

export type LeaseOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export interface Leases {
  /** This process's name in `scheduled_runs.node` (host, pid and a random tag). */
  readonly node: string;
  /**
   * Runs `fn` if this node claims `job`: no node (this one included) claimed it within the last
   * `gapMs`. A job run every period P takes gapMs = P / 2, so nodes whose timers drift apart still
   * run it once a period. Rejects if the database cannot be asked (the caller logs it).
   */
  once<T>(job: string, gapMs: number, fn: () => Promise<T>): Promise<LeaseOutcome<T>>;
}

/** A name for this process that no other node shares. */
export function nodeName(): string {
  return `${hostname()}:${String(process.pid)}:${randomBytes(3).toString('hex')}`;
}

export function createLeases({
  db,
  clock,
  node = nodeName(),
}: {
  db: Db;
  clock: Clock;
  node?: string;
}): Leases {
  return {
    node,
    async once(job, gapMs, fn) {
      if (!(await claimRun(db, job, node, clock.now(), gapMs))) return { ran: false };
      return { ran: true, value: await fn() };
    },
  };
}
