/**
 * The backup schedule's section of the configuration: `burrow serve --backup-every 24h --backup-dir
 * DIR` flags, else BURROW_BACKUP_EVERY / BURROW_BACKUP_DIR / BURROW_BACKUP_KEEP /
 * BURROW_BACKUP_RECIPIENT. Parsed here; load-config.ts puts it into the frozen Config and
 * schedule.ts runs it.
 */
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
