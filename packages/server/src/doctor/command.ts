/**
 * `burrow doctor [--production]`: every check, in the mode that matters. In production (NODE_ENV=
 * production or --production) every finding is a ✗ and the exit code is 1 if there is any. In
 * development the production-only findings are "— production only" notes that do not fail; what is
 * wrong in any mode (the database cannot be reached, a running server fails /readyz) still does.
 */
import { parseCommand } from '../cli-args.js';
import { parseConfig, type Config } from '../load-config.js';
import { runDoctor, type DoctorOptions } from './doctor.js';
import { formatDoctorFindings, mattersNow, type Finding } from './finding.js';
import { databaseChecks, healthChecks } from './live-checks.js';
import { honeycheckerServiceChecks } from './honeychecker-checks.js';

export const DOCTOR_USAGE = `Usage: burrow doctor [--production]

Checks the deployment: settings (TLS, secrets, mail, database URL), file modes, the honeychecker,
the S3 bucket, the database (reachable, migrations current) and a running server's /healthz.
  --production   judge as production does (also NODE_ENV=production): every finding fails
Exit 0 when nothing that matters in this mode is wrong, 1 otherwise (docs/operations.md).`;

/** What `burrow doctor` prints, and whether it failed. */
export interface DoctorReport {
  readonly text: string;
  readonly failed: boolean;
}

/** Runs every check (configuration, probes, database, health) and renders the report. */
export async function doctorReport(config: Config, production: boolean, options: DoctorOptions = {}): Promise<DoctorReport> {
  // The configuration and file checks first: the database check must not be what a file mode reflects.
  const findings: Finding[] = await runDoctor(config, options);
  const database = await databaseChecks(config);
  const health = await healthChecks(config);
  const honeychecker = await honeycheckerServiceChecks(config);
  findings.push(...database.findings, ...health.findings, ...honeychecker.findings);
  const failing = findings.filter((f) => mattersNow(f, production));
  const notes = findings.length - failing.length;
  const lines = [`burrow doctor — ${production ? 'production' : 'development (production-only findings are notes)'}`];
  for (const line of [...database.passed, ...health.passed, ...honeychecker.passed]) lines.push(`✓ ${line}`);
  for (const line of [...database.notes, ...health.notes]) lines.push(`· ${line}`);
  if (findings.length > 0) lines.push(formatDoctorFindings(findings, production));
  if (failing.length > 0) lines.push(`${String(failing.length)} finding(s) to fix${notes > 0 ? `, ${String(notes)} production-only note(s)` : ''}.`);
  else if (notes > 0)
    lines.push(`Nothing that matters in development is wrong; ${String(notes)} production-only note(s) to fix before going live.`);
  else lines.push('No findings: this deployment passes every check (docs/operations.md).');
  return { text: lines.join('\n'), failed: failing.length > 0 };
}

/** `burrow doctor …` from the command line: exit 1 when something that matters now is wrong. */
export async function doctorCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseCommand(args, DOCTOR_USAGE, { production: { type: 'boolean' } });
  const config = parseConfig(env);
  const report = await doctorReport(config, values.production === true || config.production);
  console.log(report.text);
  if (report.failed) process.exitCode = 1;
}
