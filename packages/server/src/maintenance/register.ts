/**
 * The daily maintenance: at start (in the background, so a big backlog never delays it) and then
 * once a day, every job deletes what it no longer needs in bounded batches (batches.ts): the audit
 * trail past its retention, expired sessions, account links and throttle rows. The jobs are
 * given by app.ts; each is its table owner's own delete, so this folder writes no table itself.
 */
import type { Logger } from 'pino';
import type { App } from '../http/types.js';
import { deleteInBatches, type BatchDelete, type BatchOptions, type BatchResult } from './batches.js';

const DAY = 24 * 60 * 60 * 1000;

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
}

/** Makes the maintenance runner without scheduling it (tests run it by hand). */
export function createMaintenance({ log, jobs, batch }: Omit<MaintenanceOptions, 'everyMs'>, stopped: () => boolean = () => false): Maintenance {
  let running: Promise<Record<string, BatchResult>> = Promise.resolve({});
  const runAll = async (): Promise<Record<string, BatchResult>> => {
    const results: Record<string, BatchResult> = {};
    for (const [name, job] of Object.entries(jobs)) {
      try {
        const r = await deleteInBatches(job, { ...batch, stopped });
        results[name] = r;
        if (r.deleted > 0) log.info({ job: name, deleted: r.deleted, batches: r.batches, slowestMs: Math.round(r.slowestMs) }, 'maintenance: old rows deleted');
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
export function registerMaintenance(app: App, options: MaintenanceOptions): Maintenance {
  let closing = false;
  const maintenance = createMaintenance(options, () => closing);
  let last: Promise<unknown> = Promise.resolve();
  const start = (): void => {
    last = maintenance.run();
  };
  const timer = setInterval(start, options.everyMs ?? DAY);
  timer.unref();
  app.addHook('onReady', (done) => {
    start();
    done();
  });
  app.addHook('onClose', async () => {
    closing = true;
    clearInterval(timer);
    await last; // stops between batches, before the database closes
  });
  return maintenance;
}
