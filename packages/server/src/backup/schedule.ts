/**
 * Backups on a schedule, inside the server process (`burrow serve --backup-every 24h --backup-dir
 * DIR`, or BURROW_BACKUP_EVERY / BURROW_BACKUP_DIR / BURROW_BACKUP_KEEP with
 * BURROW_BACKUP_RECIPIENT). Each run writes a backup exactly as `burrow backup` does (encrypted to
 * the operator's public key), checks it against its manifest, then deletes the oldest beyond the
 * last `keep`. Runs never overlap: a tick that finds the previous run still going is skipped and
 * logged. A failed run alerts the operator (tripwires/ alertOperator) and the schedule carries on.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.js';
import type { Clock } from '../clock/index.js';
import type { DatabaseConfig } from '../config.js';
import type { Db } from '../db/index.js';
import type { AlertOperator } from '../tripwires/index.js';
import { createBackup, type BackupSummary } from './backup.js';
import { verifyBackup } from './verify.js';

export interface BackupScheduleConfig {
  readonly everyMs: number;
  readonly dir: string;
  /** How many of the newest backups in `dir` to keep (older ones are deleted after a good run). */
  readonly keep: number;
  /** The operator's age recipient (age1…). */
  readonly recipient: string;
}

export class BackupScheduleError extends Error {
  override readonly name = 'BackupScheduleError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "24h", "30m", "1d", "90s", "500ms". */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) throw new BackupScheduleError(`"${text}" is not a duration: write it like 24h, 6h, 30m or 1d.`);
  return Math.round(Number(m[1]) * (UNITS[m[2]] ?? 0));
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** The schedule from `burrow serve` flags, else the environment; null when none is asked for. */
export function parseBackupSchedule(env: NodeJS.ProcessEnv, argv: readonly string[] = []): BackupScheduleConfig | null {
  const every = flag(argv, '--backup-every') ?? env.BURROW_BACKUP_EVERY;
  if (!every) return null;
  const everyMs = parseDuration(every);
  if (everyMs < 1000) throw new BackupScheduleError('--backup-every must be at least 1s.');
  const dir = flag(argv, '--backup-dir') ?? env.BURROW_BACKUP_DIR;
  if (!dir) throw new BackupScheduleError('Scheduled backups need a folder: --backup-dir DIR (or BURROW_BACKUP_DIR).');
  const keepText = flag(argv, '--backup-keep') ?? env.BURROW_BACKUP_KEEP ?? '7';
  const keep = Number(keepText);
  if (!Number.isInteger(keep) || keep < 1) throw new BackupScheduleError('--backup-keep must be a whole number ≥ 1.');
  const recipient = flag(argv, '--backup-recipient') ?? env.BURROW_BACKUP_RECIPIENT;
  if (!recipient) throw new BackupScheduleError('Scheduled backups are encrypted to the operator: set BURROW_BACKUP_RECIPIENT=age1… (burrow backup keygen).');
  return Object.freeze({ everyMs, dir, keep, recipient });
}

export interface BackupSchedulePorts {
  schedule: BackupScheduleConfig;
  database: DatabaseConfig;
  db: Db;
  blobs: Blobs;
  clock: Clock;
  log: Logger;
  alertOperator: AlertOperator;
}

export interface BackupScheduler {
  /** Runs one backup now (unless one is running: then resolves null). */
  runNow(): Promise<BackupSummary | null>;
  stop(): Promise<void>;
  stats(): { runs: number; failures: number; skipped: number; last: BackupSummary | null };
}

/** Deletes the oldest `burrow-backup-*` folders beyond the newest `keep` (names sort by time). */
export function pruneBackups(dir: string, keep: number): string[] {
  const all = readdirSync(dir).filter((n) => n.startsWith('burrow-backup-')).sort();
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const name of old) rmSync(join(dir, name), { recursive: true, force: true });
  return old;
}

export function startBackupSchedule({ schedule, database, db, blobs, clock, log, alertOperator }: BackupSchedulePorts): BackupScheduler {
  let running: Promise<BackupSummary | null> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const stats = { runs: 0, failures: 0, skipped: 0, last: null as BackupSummary | null };

  async function once(): Promise<BackupSummary | null> {
    try {
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

  const arm = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(arm);
    }, schedule.everyMs);
    timer.unref();
  };
  arm();

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
    stats: () => ({ ...stats }),
  };
}
