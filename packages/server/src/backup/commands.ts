/**
 * The CLI side of backups: argument parsing, progress bars and the summary lines for
 * `burrow backup [keygen|verify]` and `burrow restore`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { openBlobs } from '../blobs/open-blobs.js';
import { openRestoreBlobs } from './restore-fs.js';
import { parseCommand, required, UsageError } from '../cli-args.js';
import { parseCoreConfig } from '../config.js';
import { openDb } from '../db/index.js';
import { createBackup } from './backup.js';
import { BackupError } from './format.js';
import { generateBackupIdentity } from './keys.js';
import { renderSystemdUnits } from './systemd.js';
import { terminalProgress } from './progress.js';
import { restoreBackup } from './restore.js';
import { verifyBackup } from './verify.js';

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const BACKUP_HELP = `  backup keygen --identity FILE         make an age identity (0600) and print its recipient
  backup --recipient age1… [--out DIR]  encrypted, verified snapshot (also BURROW_BACKUP_RECIPIENT)
  backup verify DIR [--identity FILE]   check a backup's hashes (with FILE: decrypt and check all)
  backup schedule [--on-calendar daily] [--out DIR] [--env-file FILE]
                                        print a systemd service + timer (or: serve --backup-every 24h)
  restore DIR --identity FILE           restore into an empty installation, checking every hash`;

const KEYGEN_USAGE = `Usage: burrow backup keygen --identity FILE
Makes an age identity (written 0600, refused if FILE exists) and prints its recipient.`;
const BACKUP_USAGE = `Usage: burrow backup [--recipient age1…] [--out DIR]
       burrow backup keygen|verify|schedule … (burrow backup <sub> --help)
Writes an encrypted, verified snapshot to DIR (default ./backups). The recipient may also come
from BURROW_BACKUP_RECIPIENT.

${BACKUP_HELP}`;
const VERIFY_USAGE = `Usage: burrow backup verify DIR [--identity FILE]
Checks a backup's hashes; with --identity, decrypts it and checks every blob too.`;
const SCHEDULE_USAGE = `Usage: burrow backup schedule [--on-calendar daily] [--out DIR] [--env-file FILE]
Prints a systemd service and timer that run \`burrow backup\` (or use: burrow serve --backup-every 24h).`;
const RESTORE_USAGE = `Usage: burrow restore DIR --identity FILE
Restores a backup into an empty installation (the configured database and blob store), checking every hash.`;

function readIdentity(path: string): string {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AGE-SECRET-KEY-'));
  if (!line) throw new BackupError(`${path} holds no AGE-SECRET-KEY- line.`);
  return line.trim();
}

async function keygen(args: string[]): Promise<void> {
  const { values } = parseCommand(args, KEYGEN_USAGE, { identity: { type: 'string' } });
  const file = required(values.identity, '--identity FILE', KEYGEN_USAGE);
  const { identity, recipient } = await generateBackupIdentity();
  writeFileSync(file, `# recipient: ${recipient}\n${identity}\n`, { mode: 0o600, flag: 'wx' });
  console.log(`Identity written to ${file} (keep it offline, away from the server and its backups).`);
  console.log(`Recipient (give this to the server): ${recipient}`);
}

async function backup(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseCommand(args, BACKUP_USAGE, { recipient: { type: 'string' }, out: { type: 'string' } });
  const recipient = values.recipient ?? env.BURROW_BACKUP_RECIPIENT;
  if (!recipient) throw new UsageError('Give the operator’s age recipient: --recipient age1… (or BURROW_BACKUP_RECIPIENT).', BACKUP_USAGE);
  // Backups need only the core settings (database, blob store): the other sections are not theirs to refuse on.
  const config = parseCoreConfig(env);
  const { db } = openDb(config.database);
  try {
    const s = await createBackup({
      database: config.database,
      db,
      blobs: openBlobs(config),
      recipient,
      outDir: values.out ?? 'backups',
      progress: terminalProgress(),
    });
    console.log(`Backup written: ${s.path}`);
    console.log(
      `  ${String(s.blobs)} blobs (${mb(s.blobBytes)}), database ${mb(s.databaseBytes)}, backup ${mb(s.backupBytes)}, in ${seconds(s.ms)}`,
    );
    if (s.missingBlobs > 0) console.log(`  warning: ${String(s.missingBlobs)} blob(s) listed in the database were missing from the store`);
  } finally {
    await db.destroy();
  }
}

async function verify(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, VERIFY_USAGE, { identity: { type: 'string' } }, { min: 1, max: 1 });
  const dir = positionals[0] ?? '';
  const s = await verifyBackup(dir, values.identity ? readIdentity(values.identity) : null, terminalProgress());
  console.log(`Backup OK: ${dir} (${s.manifest.createdAt}, ${s.manifest.dialect})`);
  console.log(`  ${String(s.files)} files match manifest.json`);
  if (s.decrypted)
    console.log(`  decrypted: database ${mb(s.decrypted.databaseBytes)} and ${String(s.decrypted.blobs)} blobs, every hash matches`);
  else console.log('  (give --identity to decrypt and check every blob too)');
}

async function restore(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values, positionals } = parseCommand(args, RESTORE_USAGE, { identity: { type: 'string' } }, { min: 1, max: 1 });
  const dir = positionals[0] ?? '';
  const identityFile = required(values.identity, '--identity FILE', RESTORE_USAGE);
  const config = parseCoreConfig(env);
  const s = await restoreBackup({
    dir,
    identity: readIdentity(identityFile),
    config,
    blobs: openRestoreBlobs(config),
    progress: terminalProgress(),
  });
  console.log(`Restored ${dir}`);
  console.log(`  database ${mb(s.databaseBytes)}, ${String(s.blobs)} blobs (${mb(s.blobBytes)}), every hash verified, in ${seconds(s.ms)}`);
}

function printSchedule(args: string[]): void {
  const { values } = parseCommand(args, SCHEDULE_USAGE, { 'on-calendar': { type: 'string' }, out: { type: 'string' }, 'env-file': { type: 'string' } });
  console.log(
    renderSystemdUnits({
      onCalendar: values['on-calendar'] ?? 'daily',
      outDir: values.out ?? '/var/backups/burrow',
      workDir: process.cwd(),
      envFile: values['env-file'] ?? '/etc/burrow/env',
    }),
  );
}

/**
 * Runs `burrow backup …` or `burrow restore …`; BackupError becomes a one-line message and exit 1.
 * A wrong command line throws UsageError and `--help` HelpRequested (cli-args.ts: exit 2 and 0).
 */
export async function backupCommand(command: 'backup' | 'restore', args: string[], env = process.env): Promise<void> {
  try {
    if (command === 'restore') await restore(args, env);
    else if (args[0] === 'keygen') await keygen(args.slice(1));
    else if (args[0] === 'verify') await verify(args.slice(1));
    else if (args[0] === 'schedule') printSchedule(args.slice(1));
    else await backup(args, env);
  } catch (err) {
    if (err instanceof BackupError) {
      console.error(`burrow ${command}: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
