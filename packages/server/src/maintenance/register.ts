/**
 * The daily maintenance: at start (in the background, so a big backlog never delays it) and then
 * once a day, every job deletes what it no longer needs in bounded batches (batches.ts): the audit
 * trail past its retention, expired sessions, account links and throttle rows. The jobs are
 * given by app.ts; each is its table owner's own delete, so this folder writes no table itself.
 * With several nodes on one database, each scheduled run is claimed first (the leases port): the
 * node that claims the day's run does it, the others skip it. A claim that fails (the database
 * down at that moment) is tried again after 30 s, then 1, 2, 4 … minutes up to 30, rather than
 * waiting a whole day for the next tick.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { App } from '../http/types.js';
import { CLAIM_RETRY_FIRST_MS, CLAIM_RETRY_MAX_MS, type Leases } from '../leases/index.js';
import { deleteInBatches, type BatchDelete, type BatchOptions, type BatchResult } from './batches.js';

const DAY = 24 * 60 * 60 * 1000;

/** Two ticks of the event-loop histogram's 10 ms timer. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 25));

export interface Maintenance {
  /** Runs every job once now (after any run in progress); resolves with each job's result. */
  run(): Promise<Record<string, BatchResult>>;
}

export interface MaintenanceOptions {
  log: Logger;
  /** Job name → one batch of its delete. */
  jobs: Record<string, BatchDelete>;
  everyMs?: number;
  batch?: Omit<BatchOptions, 'stopped'>;
  /** Claims each scheduled run across nodes; absent, every tick runs (tests). */
  leases?: Leases;
  /** The first wait after a failed claim (default CLAIM_RETRY_FIRST_MS); each further failure doubles it. */
  retryMs?: number;
}

/** The maintenance as the app schedules it, with what its ticks did (for tests and operators). */
export interface ScheduledMaintenance extends Maintenance {
  /**
   * Ticks that ran the jobs, ticks skipped because another node had claimed the period, and claims
   * that failed (each tried again later).
   */
  stats(): { ran: number; skipped: number; failed: number };
}

/** The lease's name in scheduled_runs. */
export const MAINTENANCE_JOB = 'maintenance';

/** Makes the maintenance runner without scheduling it (tests run it by hand). */
export function createMaintenance({ log, jobs, batch }: Omit<MaintenanceOptions, 'everyMs'>, stopped: () => boolean = () => false): Maintenance {
  let running: Promise<Record<string, BatchResult>> = Promise.resolve({});
  const runAll = async (): Promise<Record<string, BatchResult>> => {
    const results: Record<string, BatchResult> = {};
    for (const [name, job] of Object.entries(jobs)) {
      try {
        // Each job's own worst event-loop delay, for the log and the benchmarks (a 10 ms timer, only while it runs).
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        // The histogram records nothing for the stretch before its timer's first tick (it measures
        // from one tick to the next): a job that held the loop from its first statement reported 0
        // (auditIps at cloudpets 0.1: a 255 ms batch, loopMaxMs 0). One tick before, one after.
        await settle();
        const r = await deleteInBatches(job, { ...batch, stopped }).finally(() => settle().then(() => loop.disable()));
        results[name] = { ...r, loopMaxMs: loop.max / 1e6 };
        if (r.deleted > 0)
          log.info({ job: name, deleted: r.deleted, batches: r.batches, slowestMs: Math.round(r.slowestMs), loopMaxMs: Math.round(loop.max / 1e6) }, 'maintenance: old rows deleted');
      } catch (err) {
        log.error({ job: name, err: err instanceof Error ? err.message : String(err) }, 'maintenance job failed');
      }
    }
    return results;
  };
  return {
    run() {
      running = running.then(runAll, runAll);
      return running;
    },
  };
}

/** Schedules the maintenance on the app: once when ready, then every `everyMs` (a day); stops on close. */
export function registerMaintenance(app: App, options: MaintenanceOptions): ScheduledMaintenance {
  let closing = false;
  const maintenance = createMaintenance(options, () => closing);
  const everyMs = options.everyMs ?? DAY;
  const stats = { ran: 0, skipped: 0, failed: 0 };
  const firstRetryMs = options.retryMs ?? CLAIM_RETRY_FIRST_MS;
  let retryMs = firstRetryMs;
  let retry: NodeJS.Timeout | null = null;
  let last: Promise<unknown> = Promise.resolve();
  const tick = async (): Promise<void> => {
    if (!options.leases) {
      await maintenance.run();
      stats.ran++;
      return;
    }
    const outcome = await options.leases.once(MAINTENANCE_JOB, everyMs / 2, () => maintenance.run());
    if (outcome.ran) stats.ran++;
    else {
      stats.skipped++;
      options.log.info('maintenance: another node has run it in this period; skipped');
    }
  };
  const start = (): void => {
    if (retry) clearTimeout(retry);
    retry = null;
    last = tick().then(
      () => {
        retryMs = firstRetryMs;
      },
      (err: unknown) => {
        stats.failed++;
        options.log.error({ err: err instanceof Error ? err.message : String(err), retryInMs: retryMs }, 'maintenance: claiming the run failed; trying again');
        if (closing) return;
        retry = setTimeout(start, retryMs);
        retry.unref();
        retryMs = Math.min(retryMs * 2, CLAIM_RETRY_MAX_MS);
      },
    );
  };
  const timer = setInterval(start, everyMs);
  timer.unref();
  app.addHook('onReady', (done) => {
    start();
    done();
  });
  app.addHook('onClose', async () => {
    closing = true;
    clearInterval(timer);
    if (retry) clearTimeout(retry);
    await last; // stops between batches, before the database closes
  });
  return { ...maintenance, stats: () => ({ ...stats }) };
}
