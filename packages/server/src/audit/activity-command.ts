/**
 * `burrow audit verify [--family ID]` — checks the hash chain of every family's activity log (or
 * one's) and says where it breaks: an edited, deleted, inserted or reordered event. Exit code 1 when
 * anything is wrong, so a scheduled run can alert.
 */
import { parseCommand, UsageError } from '../cli-args.js';
import { parseCoreConfig } from '../config.js';
import { openDb } from '../db/index.js';
import { verifyActivity } from './activity-verify.js';

export const AUDIT_HELP = `  audit verify [--family ID]            check that no family activity event was edited, deleted or
                                        reordered (the hash chains; docs/privacy.md)`;

const USAGE = `Usage: burrow audit verify [--family ID]

Recomputes the hash chain of each family's activity log and reports every event that was edited,
deleted, inserted or reordered since it was written. Exits with 1 if any chain is broken.
Configuration comes from the environment, as for the server (BURROW_DATABASE_URL, BURROW_DATA_DIR, …).`;

export async function auditCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseCommand(args, USAGE, { family: { type: 'string' } }, { min: 1, max: 1 });
  if (positionals[0] !== 'verify') throw new UsageError(`Unknown subcommand '${String(positionals[0])}'.`, USAGE);
  const family = values.family;
  if (family !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(family)) throw new UsageError('--family takes a family id.', USAGE);
  const { db } = openDb(parseCoreConfig(env).database);
  try {
    const report = await verifyActivity(db, family);
    for (const p of report.problems) console.log(`family ${p.familyId}${p.seq === null ? '' : `, event ${String(p.seq)}`}: ${p.problem}`);
    if (report.problems.length > 0) {
      console.log(`Activity log BROKEN: ${String(report.problems.length)} problem(s) in ${String(report.families)} family chain(s), ${String(report.events)} event(s) checked.`);
      process.exitCode = 1;
    } else console.log(`Activity log intact: ${String(report.families)} family chain(s), ${String(report.events)} event(s) checked.`);
  } finally {
    await db.destroy();
  }
}
