/**
 * Backups on a schedule, inside the server process (`burrow serve --backup-every 24h --backup-dir
 * DIR`, or BURROW_BACKUP_EVERY / BURROW_BACKUP_DIR / BURROW_BACKUP_KEEP with
 * BURROW_BACKUP_RECIPIENT). Each run writes a backup exactly as `burrow backup` does (encrypted to
 * the operator's public key), checks it against its manifest, then deletes the oldest beyond the
 * last `keep`. Runs never overlap: a tick that finds the previous run still going is skipped and
 * logged. A failed run alerts the operator (the alerts port) and the schedule carries on.
 * With several nodes on one database, each tick first claims the period (the leases port): one
 * node backs up, the others skip that tick (`elsewhere` in the stats). A claim that fails (the
 * database did not answer) is tried again after 30 s, doubling up to 30 min (never longer than the
 * period), rather than a whole period later.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { AlertOperator } from '../alerts/index.js';
import { CLAIM_RETRY_FIRST_MS, CLAIM_RETRY_MAX_MS, type Leases } from '../leases/index.js';
import type { BackupSummary } from './backup.js';
import type { BackupScheduleConfig } from './config.js';

export { BackupScheduleError, parseBackupSchedule, parseDuration, type BackupScheduleConfig } from './config.js';

export interface BackupSchedulePorts {
  schedule: BackupScheduleConfig;
  database: DatabaseConfig;
  db: Db;
  blobs: Blobs;
  clock: Clock;
  log: Logger;
  alertOperator: AlertOperator;
  /** Claims each scheduled tick across nodes; absent, every tick backs up. runNow() never asks it. */
  leases?: Leases;
  /** The first wait after a failed claim (default CLAIM_RETRY_FIRST_MS); each further failure doubles it. */
  retryMs?: number;
}

/** The lease's name in scheduled_runs. */
export const BACKUP_JOB = 'backup';

export interface BackupScheduler {
  /** Runs one backup now (unless one is running: then resolves null). */
  runNow(): Promise<BackupSummary | null>;
  /** A timer's tick now (claiming the period, as the timer does), then the timer from here. */
  tickNow(): Promise<void>;
  stop(): Promise<void>;
  /**
   * skipped: ticks that found a run still going; elsewhere: ticks another node had claimed;
   * claimFailures: claims the database did not answer; retries: tries made after one of those.
   */
  stats(): {
    runs: number;
    failures: number;
    skipped: number;
    elsewhere: number;
    claimFailures: number;
    retries: number;
    last: BackupSummary | null;
  };
}

/** Deletes the oldest `burrow-backup-*` folders beyond the newest `keep` (names sort by time). */
export function pruneBackups(dir: string, keep: number): string[] {
  const all = readdirSync(dir).filter((n) => n.startsWith('burrow-backup-')).sort();
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) rmSync(join(dir, name), { recursive: true, force: true });
  return old;
}

export function startBackupSchedule({ schedule, database, db, blobs, clock, log, alertOperator, leases, retryMs = CLAIM_RETRY_FIRST_MS }: BackupSchedulePorts): BackupScheduler {
  let running: Promise<BackupSummary | null> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const stats = { runs: 0, failures: 0, skipped: 0, elsewhere: 0, claimFailures: 0, retries: 0, last: null as BackupSummary | null };
  /** The wait before the next try while claims fail; null while they succeed. */
  let retryIn: number | null = null;

  async function once(): Promise<BackupSummary | null> {
    try {
      // Loaded at the first run, not with the app: backup and verify bring in age-encryption, which
      // every process that builds the app (each test file's server) would otherwise load for nothing.
      const [{ createBackup }, { verifyBackup }] = await Promise.all([import('./backup.js'), import('./verify.js')]);
      const summary = await createBackup({ database, db, blobs, recipient: schedule.recipient, outDir: schedule.dir, now: new Date(clock.now()) });
      await verifyBackup(summary.path, null);
      const removed = pruneBackups(schedule.dir, schedule.keep);
      stats.runs++;
      stats.last = summary;
      log.info({ path: summary.path, blobs: summary.blobs, bytes: summary.backupBytes, ms: summary.ms, removed: removed.length }, 'scheduled backup written and verified');
      return summary;
    } catch (err) {
      stats.failures++;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
      log.error({ err: message }, 'scheduled backup failed');
      await alertOperator({
        kind: 'backup-failed',
        severity: 'high',
        subject: schedule.dir,
        summary: `The scheduled backup into ${schedule.dir} failed: ${message}`,
        details: { dir: schedule.dir, failures: stats.failures },
      });
      return null;
    }
  }

  function runNow(): Promise<BackupSummary | null> {
    if (running) {
      stats.skipped++;
      log.warn('scheduled backup skipped: the previous one is still running');
      return Promise.resolve(null);
    }
    running = once().finally(() => {
      running = null;
    });
    return running;
  }

  /** A timer's tick: backs up if this node claims the period (or there are no leases). */
  async function tick(): Promise<void> {
    if (!leases) {
      await runNow();
      return;
    }
    if (retryIn !== null) stats.retries++;
    try {
      const outcome = await leases.once(BACKUP_JOB, schedule.everyMs / 2, runNow);
      retryIn = null;
      if (!outcome.ran) {
        stats.elsewhere++;
        log.info('scheduled backup: another node has backed up in this period; skipped');
      }
    } catch (err) {
      stats.claimFailures++;
      retryIn = retryIn === null ? retryMs : Math.min(retryIn * 2, CLAIM_RETRY_MAX_MS);
      retryIn = Math.min(retryIn, schedule.everyMs);
      log.error({ err: (err instanceof Error ? err.message : String(err)).slice(0, 300), retryInMs: retryIn }, 'scheduled backup: claiming the run failed; trying again');
    }
  }

  const arm = (): void => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      void tick().finally(arm);
    }, retryIn ?? schedule.everyMs);
    timer.unref();
  };
  arm();

  return {
    runNow,
    tickNow: () => tick().finally(arm),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
    stats: () => ({ ...stats }),
  };
}
