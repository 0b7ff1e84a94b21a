/**
 * `burrow <command>` — the operator's CLI.
 *
 *   burrow serve     run the server (what `npm start` does)
 *   burrow migrate   apply database migrations and exit
 *   burrow doctor    check the deployment (docs/operations.md); exit 1 on any finding
 *   burrow backup    encrypted, verified backups; `burrow restore` brings one back (docs/operations.md)
 *   burrow incident  open an incident, notify the families, track the 72-hour deadline, report
 *
 * Configuration comes from the environment, exactly as for the server (README, "Configuration").
 */
import { ConfigError, parseConfig } from './config/load.js';
import { migrate, openDb } from './db/index.js';
import { formatFindings, runDoctor } from './doctor/index.js';
import { BACKUP_HELP, backupCommand } from './backup/commands.js';
import { INCIDENT_HELP, incidentCommand } from './incidents/commands.js';

const HELP = `Usage: burrow <command>

Commands:
  serve [--production] [--backup-every 24h --backup-dir DIR [--backup-keep 7]]
                                        run the server (same as npm start); --production refuses unsafe
                                        settings; --backup-every backs up in-process (BURROW_BACKUP_RECIPIENT)
  migrate                               apply database migrations and exit
  doctor                                check the deployment; print each finding with its fix (exit 1 if any)
${BACKUP_HELP}
${INCIDENT_HELP}
  help                                  show this help`;

async function runMigrate(): Promise<void> {
  const config = parseConfig();
  const { db, dialect } = openDb(config.database);
  try {
    await migrate(db, dialect);
    console.log(`Migrations applied (${dialect}).`);
  } finally {
    await db.destroy();
  }
}

async function runDoctorCommand(): Promise<void> {
  const config = parseConfig();
  const findings = await runDoctor(config);
  if (findings.length === 0) {
    console.log('burrow doctor: no findings. This deployment passes every check (docs/operations.md).');
    return;
  }
  console.log(`burrow doctor: ${String(findings.length)} finding(s):\n${formatFindings(findings, 'refusal')}`);
  process.exitCode = 1;
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [command = 'help'] = argv;
  try {
    if (command === 'serve') await import('./main.js');
    else if (command === 'migrate') await runMigrate();
    else if (command === 'doctor') await runDoctorCommand();
    else if (command === 'backup' || command === 'restore') await backupCommand(command, argv.slice(1));
    else if (command === 'incident') await incidentCommand(argv.slice(1));
    else if (command === 'help' || command === '--help' || command === '-h') console.log(HELP);
    else {
      console.error(`Unknown command: ${command}\n\n${HELP}`);
      process.exitCode = 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Burrow cannot start: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

await main();
