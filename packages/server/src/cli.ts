/**
 * `burrow <command>` — the operator's CLI.
 *
 *   burrow serve     run the server (what `npm start` does)
 *   burrow migrate   apply database migrations and exit
 *
 * Configuration comes from the environment, exactly as for the server (README, "Configuration").
 */
import { ConfigError, parseConfig } from './config.js';
import { migrate, openDb } from './db/index.js';

const HELP = `Usage: burrow <command>

Commands:
  serve     run the server (same as npm start)
  migrate   apply database migrations and exit
  help      show this help`;

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

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const [command = 'help'] = argv;
  try {
    if (command === 'serve') await import('./main.js');
    else if (command === 'migrate') await runMigrate();
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
