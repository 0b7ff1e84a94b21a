/** `burrow incident open|notify|status|report` — the operator's side of incidents (docs/operations.md). */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { terminalProgress } from '../backup/progress.js';
import { HelpRequested, parseCommand, UsageError, type PositionalCount } from '../cli-args.js';
import { systemClock } from '../clock/index.js';
import { accountEmailsOf } from '../accounts/index.js';
import { honeycheckerDirOf, parseConfig, type Config } from '../load-config.js';
import { connectHoneychecker, HONEYCHECKER_FILE, openHoneychecker, resolveHoneycheckerSecret, type Honeychecker } from '../honeychecker/index.js';
import { openDb } from '../db/index.js';
import { createMailer, type Mailer } from '../mail/index.js';
import { renderReport } from './report.js';
import { createIncidents, IncidentError } from './service.js';

export const INCIDENT_HELP = `  incident open --summary TEXT --scope all|family:ID|account:ID [--occurred DATE[..DATE]]
                [--discovered DATE] [--information TEXT] [--actions TEXT]
  incident notify ID [--force-sign-out] [--force-reset]
                                        mail every affected guardian once (re-run retries failures) and
                                        show it in the web app; optionally end their sessions / require
                                        a new password at the next sign-in
  incident status ID                    who was notified, failures, time left to the 72-hour deadline
  incident report ID [--out FILE]       write the regulator's report (GDPR Art. 33(3))`;

const USAGE = `Usage: burrow incident open|notify|status|report … (burrow incident <sub> --help)

${INCIDENT_HELP}`;

/** Every option any incident subcommand takes; each subcommand accepts only its own (below). */
interface IncidentArgs {
  summary?: string;
  scope?: string;
  occurred?: string;
  discovered?: string;
  information?: string;
  actions?: string;
  out?: string;
  'force-sign-out'?: boolean;
  'force-reset'?: boolean;
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const one: PositionalCount = { min: 1, max: 1 };

const SUBCOMMANDS = {
  open: {
    usage: `Usage: burrow incident open --summary TEXT --scope all|family:ID|account:ID [--occurred DATE[..DATE]]
                            [--discovered DATE] [--information TEXT] [--actions TEXT]
Opens an incident and prints how many accounts it affects and the regulator's 72-hour deadline.`,
    options: { summary: text, scope: text, occurred: text, discovered: text, information: text, actions: text },
    positionals: { max: 0 },
  },
  notify: {
    usage: `Usage: burrow incident notify ID [--force-sign-out] [--force-reset]
Mails every affected guardian once (re-run retries failures) and shows the notice in the web app;
--force-sign-out ends their sessions, --force-reset requires a new password at the next sign-in.`,
    options: { 'force-sign-out': flag, 'force-reset': flag },
    positionals: one,
  },
  status: {
    usage: `Usage: burrow incident status ID
Who was notified, the failures, and the time left to the 72-hour deadline.`,
    options: {},
    positionals: one,
  },
  report: {
    usage: `Usage: burrow incident report ID [--out FILE]
Writes the regulator's report (GDPR Art. 33(3)); default file incident-ID-report.md.`,
    options: { out: text },
    positionals: one,
  },
} as const;

type Subcommand = keyof typeof SUBCOMMANDS;

/** Checks the command line before anything is opened: a typo costs no database connection. */
function parseIncidentArgs(args: readonly string[]): { sub: Subcommand; values: IncidentArgs; id: string } {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  if (!Object.hasOwn(SUBCOMMANDS, sub))
    throw new UsageError(sub.startsWith('-') ? `Unknown option '${sub}'.` : `Unknown incident subcommand '${sub}'.`, USAGE);
  const spec = SUBCOMMANDS[sub as Subcommand];
  const { values, positionals } = parseCommand(rest, spec.usage, spec.options, spec.positionals);
  return { sub: sub as Subcommand, values: values as IncidentArgs, id: positionals[0] ?? '' };
}

function parseDate(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new IncidentError(`${what} must be a date such as 2026-11-20 or 2026-11-20T14:00Z.`);
  return ms;
}

const hours = (ms: number): string => `${(Math.abs(ms) / 3_600_000).toFixed(1)} h`;

function contactOf(config: Config): string {
  return config.accountSecurity.publicUrl ?? config.accountSecurity.mailFrom;
}

export async function incidentCommand(args: string[], deps: { mailer?: Mailer; log?: Logger } = {}): Promise<void> {
  const { sub, values, id } = parseIncidentArgs(args);
  const config = parseConfig();
  const { db } = openDb(config.database);
  const mailer = deps.mailer ?? createMailer({ config: { ...config, mailFrom: config.accountSecurity.mailFrom } });
  // Canary accounts are known only to the honeychecker: open it (if this installation has one) to leave them out.
  // With the honeychecker service (BURROW_HONEYCHECKER_URL), its canary list, loaded before any notice goes out.
  const hcDir = honeycheckerDirOf(config);
  const { honeycheckerUrl, honeycheckerToken } = config.tripwires;
  const honeychecker: Honeychecker | null = honeycheckerUrl !== null && honeycheckerToken !== null
    ? connectHoneychecker({ url: honeycheckerUrl, token: honeycheckerToken })
    : existsSync(join(hcDir, HONEYCHECKER_FILE))
    ? openHoneychecker({
        dir: hcDir,
        secret: resolveHoneycheckerSecret({ dir: hcDir, configured: config.tripwires.honeycheckerSecret, production: config.production }),
      })
    : null;
  const incidents = createIncidents({
    db,
    mailer,
    clock: systemClock,
    contact: contactOf(config),
    emails: accountEmailsOf(config),
    isCanaryAccount: (id) => honeychecker?.isCanary('account', id) ?? false,
  });
  try {
    await honeychecker?.ready();
    if (sub === 'open') {
      const [from, to] = (values.occurred ?? '').split('..');
      const row = await incidents.open({
        summary: values.summary ?? '',
        scope: values.scope ?? '',
        ...(values.information ? { information: values.information } : {}),
        ...(values.actions ? { actions: values.actions } : {}),
        occurredFrom: from ? parseDate(from, '--occurred') : null,
        // A bare date as the end of the range means the end of that day.
        occurredTo: to ? parseDate(to, '--occurred') + (/^\d{4}-\d{2}-\d{2}$/.test(to) ? 86_400_000 - 1 : 0) : null,
        ...(values.discovered ? { discoveredAt: parseDate(values.discovered, '--discovered') } : {}),
      });
      const affected = await incidents.affected(row.id);
      console.log(`Incident ${row.id} opened (scope ${row.scope}); ${String(affected.length)} affected account(s).`);
      console.log(`Regulator deadline (GDPR Art. 33): ${new Date(row.discovered_at + 72 * 3_600_000).toISOString()}`);
      console.log(`Next: burrow incident notify ${row.id}`);
    } else if (sub === 'notify') {
      const r = await incidents.notify(id, terminalProgress(), {
        forceSignOut: values['force-sign-out'] === true,
        forceReset: values['force-reset'] === true,
      });
      console.log(`Incident ${id}: ${String(r.sent)} notified now, ${String(r.skipped)} already notified, ${String(r.failed)} failed.`);
      if (values['force-sign-out'] || values['force-reset'])
        console.log(`  ${String(r.sessionsEnded)} session(s) ended; ${String(r.resetsRequired)} account(s) must now reset their password.`);
      console.log('  Each affected account also sees the notice in the web app (Notices).');
      if (r.failed > 0) {
        console.log('Failed deliveries are recorded; run notify again to retry them (burrow incident status shows why).');
        process.exitCode = 1;
      }
    } else if (sub === 'status') {
      const s = await incidents.status(id);
      const sent = s.notices.filter((n) => n.status === 'sent');
      const failed = s.notices.filter((n) => n.status === 'failed');
      console.log(`Incident ${id} — ${s.incident.summary}`);
      console.log(`  scope ${s.incident.scope}; discovered ${new Date(s.incident.discovered_at).toISOString()}`);
      console.log(
        s.deadlineLeftMs >= 0
          ? `  regulator deadline (72 h): ${hours(s.deadlineLeftMs)} left (${new Date(s.deadline).toISOString()})`
          : `  regulator deadline (72 h): OVERDUE by ${hours(s.deadlineLeftMs)}`,
      );
      console.log(`  affected ${String(s.affected)}; notified ${String(sent.length)}; failed ${String(failed.length)}; not yet tried ${String(s.affected - s.notices.length)}`);
      for (const n of sent) console.log(`  sent    ${n.email}  ${new Date(n.sentAt ?? 0).toISOString()}`);
      for (const n of failed) console.log(`  FAILED  ${n.email}  after ${String(n.attempts)} attempt(s): ${n.lastError ?? ''}`);
    } else {
      const text = renderReport(await incidents.status(id), contactOf(config), systemClock.now());
      const out = values.out ?? `incident-${id}-report.md`;
      writeFileSync(out, text, { mode: 0o600 });
      console.log(`Regulator report written to ${out}`);
    }
  } catch (err) {
    if (err instanceof IncidentError) {
      console.error(`burrow incident: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    honeychecker?.close();
    await db.destroy();
  }
}
