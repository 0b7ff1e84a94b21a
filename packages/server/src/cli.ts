/**
 * `burrow <command>` — the operator's CLI.
 *
 *   burrow serve     run the server (what `npm start` does)
 *   burrow migrate   apply database migrations and exit
 *   burrow doctor    check the deployment (docs/operations.md)
 *   burrow backup    encrypted, verified backups; `burrow restore` brings one back (docs/operations.md)
 *   burrow incident  open an incident, notify the families, track the 72-hour deadline, report
 *   burrow release   make the offline release key, sign toy updates, upload them (docs/updates.md)
 *   burrow retention run the retention sweep now (docs/privacy.md)
 *   burrow honeychecker serve   the honeychecker as its own service (docs/deploy.md)
 *   burrow audit verify check the family activity logs' hash chains (docs/privacy.md)
 *
 * Every command and subcommand answers `--help`/`-h` (exit 0); a wrong command line prints the usage
 * on stderr and exits 2 (cli-args.ts). Configuration comes from the environment, exactly as for the
 * server (README, "Configuration").
 */
import { fileURLToPath } from 'node:url';
import { BACKUP_HELP, backupCommand } from './backup/commands.js';
import { HelpRequested, parseCommand, runCli, UsageError, type CliOutput } from './cli-args.js';
import { ConfigError, parseConfig } from './load-config.js';
import { migrate, openDb } from './db/index.js';
import { doctorCommand, DOCTOR_USAGE } from './doctor/command.js';
import { INCIDENT_HELP, incidentCommand } from './incidents/commands.js';
import { RELEASE_HELP, releaseCommand } from './updates/release-commands.js';
import { RETENTION_HELP, retentionCommand } from './retention/command.js';
import { HONEYCHECKER_HELP, honeycheckerCommand } from './honeychecker/command.js';
import { AUDIT_HELP, auditCommand } from './audit/activity-command.js';

const SERVE_USAGE = `Usage: burrow serve [--production] [--backup-every 24h --backup-dir DIR [--backup-keep 7] [--backup-recipient age1…]]

Runs the server (what \`npm start\` does). Configuration comes from the environment (README).
  --production           refuse to start on any doctor finding (also NODE_ENV=production)
  --backup-every 24h     back up in-process on a schedule (docs/operations.md, "Scheduled backups")
  --backup-dir DIR       where scheduled backups go
  --backup-keep N        how many scheduled backups to keep (default 7)
  --backup-recipient R   the operator's age recipient (also BURROW_BACKUP_RECIPIENT)`;

const MIGRATE_USAGE = `Usage: burrow migrate

Applies the database migrations (BURROW_DATABASE_URL, or SQLite under BURROW_DATA_DIR) and exits.`;

/** The top-level usage: every command in one screen. */
export const HELP = `Usage: burrow <command> [options]   (burrow <command> --help for one command)

Commands:
  serve [--production] [--backup-every 24h --backup-dir DIR [--backup-keep 7]]
                                        run the server (same as npm start); --production refuses unsafe
                                        settings; --backup-every backs up in-process (BURROW_BACKUP_RECIPIENT)
  migrate                               apply database migrations and exit
  doctor [--production]                 check the deployment and print each finding with its fix;
                                        exit 1 if anything that matters now is wrong
${BACKUP_HELP}
${INCIDENT_HELP}
${RELEASE_HELP}
${RETENTION_HELP}
${HONEYCHECKER_HELP}
${AUDIT_HELP}
  help                                  show this help`;

function serveOptions(args: readonly string[]): void {
  parseCommand(args, SERVE_USAGE, {
    production: { type: 'boolean' },
    'backup-every': { type: 'string' },
    'backup-dir': { type: 'string' },
    'backup-keep': { type: 'string' },
    'backup-recipient': { type: 'string' },
  });
}

async function runMigrate(args: readonly string[]): Promise<void> {
  parseCommand(args, MIGRATE_USAGE, {});
  const config = parseConfig();
  const { db, dialect } = openDb(config.database);
  try {
    await migrate(db, dialect);
    console.log(`Migrations applied (${dialect}).`);
  } finally {
    await db.destroy();
  }
}

async function dispatch(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help') throw new HelpRequested(HELP);
  try {
    if (command === 'serve') {
      serveOptions(rest);
      // main.ts reads the same flags from process.argv and starts listening on import.
      await import('./main.js');
    } else if (command === 'migrate') await runMigrate(rest);
    else if (command === 'doctor') await doctorCommand(rest);
    else if (command === 'backup' || command === 'restore') await backupCommand(command, rest);
    else if (command === 'incident') await incidentCommand(rest);
    else if (command === 'release') await releaseCommand(rest);
    else if (command === 'retention') await retentionCommand(rest);
    else if (command === 'honeychecker') await honeycheckerCommand(rest);
    else if (command === 'audit') await auditCommand(rest);
    else if (command === '--help' || command === '-h') throw new HelpRequested(HELP);
    else throw new UsageError(command.startsWith('-') ? `Unknown option '${command}'.` : `Unknown command '${command}'.`, HELP);
  } catch (err) {
    if (err instanceof ConfigError) {
      // 2, as for a bad command line: a setting is malformed, nothing was tried (docs/operations.md).
      console.error(`Burrow cannot start: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

/** Runs `burrow` with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), output?: CliOutput): Promise<number> {
  return runCli('burrow', () => dispatch(argv), output);
}

/** Doctor's usage, re-exported so the top-level help and tests can reach it. */
export { DOCTOR_USAGE, SERVE_USAGE, MIGRATE_USAGE };

// Run directly (`tsx packages/server/src/cli.ts …`); the bin (bin/burrow.mjs) imports and calls main().
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main();
