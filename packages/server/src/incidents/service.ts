/**
 * Incidents: open one (what happened, its scope, when it was discovered), compute who is affected,
 * notify each affected person once (idempotent; failures recorded and retried on the next run),
 * and report status and the regulator's report against the GDPR Art. 33 72-hour deadline.
 */
import { randomBytes } from 'node:crypto';
import type { AccountEmails } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { Db, IncidentsTable } from '../db/index.js';
import type { Mailer } from '../mail/index.js';
import { familiesReachedBy, guardiansActingIn, type AuditPrincipal, type Window } from '../audit/index.js';
import { silentProgress, type ProgressFactory } from '../backup/progress.js';
import { createSessionStore } from '../sessions/store.js';
import { renderNotice } from './notice.js';
import {
  addInboxNotice,
  insertIncident,
  recordNotice,
  rememberRevokedSessions,
  requirePasswordReset,
  stampInboxNotice,
} from './store.js';

/** GDPR Art. 33(1): notify the supervisory authority within 72 hours of becoming aware. */
export const REGULATOR_DEADLINE_MS = 72 * 60 * 60 * 1000;

export class IncidentError extends Error {
  override readonly name = 'IncidentError';
}

/**
 * Who an incident reaches. `accessed-by:<session|device|ip|account>:<value>` is what the anomaly
 * detectors open: the guardians of every family that principal reached (audit trail) in the window.
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'family'; id: string }
  | { kind: 'account'; id: string }
  | { kind: 'accessed-by'; who: AuditPrincipal };

export const SCOPE_HELP = '--scope must be all, family:<id>, account:<id> or accessed-by:<session|device|ip|account>:<value>.';

export function parseScope(text: string): Scope {
  if (text === 'all') return { kind: 'all' };
  const by = /^accessed-by:(session|device|ip|account):([A-Za-z0-9_.:-]{1,128})$/.exec(text);
  if (by?.[1] && by[2]) return { kind: 'accessed-by', who: { kind: by[1] as AuditPrincipal['kind'], value: by[2] } };
  const m = /^(family|account):([A-Za-z0-9_-]{1,128})$/.exec(text);
  if (!m?.[1] || !m[2]) throw new IncidentError(SCOPE_HELP);
  return { kind: m[1] as 'family' | 'account', id: m[2] };
}

/** The incident window the audit trail is searched in: --occurred, else everything up to now. */
export function incidentWindow(incident: IncidentsTable, now: number): Window {
  return { from: incident.occurred_from ?? 0, to: incident.occurred_to ?? now };
}

export interface NotifyOptions {
  /** End every session of each affected account (once per account and incident). */
  forceSignOut?: boolean;
  /** Require a new password at the next sign-in; implies forceSignOut. */
  forceReset?: boolean;
}

export interface OpenIncident {
  summary: string;
  scope: string;
  information?: string;
  actions?: string;
  occurredFrom?: number | null;
  occurredTo?: number | null;
  discoveredAt?: number;
}

export interface Affected {
  accountId: string;
  email: string;
}

export interface NotifyResult {
  sent: number;
  failed: number;
  /** Already notified in an earlier run. */
  skipped: number;
  /** Sessions ended now (--force-sign-out / --force-reset). */
  sessionsEnded: number;
  /** Accounts newly required to reset their password (--force-reset). */
  resetsRequired: number;
}

export interface IncidentStatus {
  incident: IncidentsTable;
  affected: number;
  notices: { accountId: string; email: string; status: 'sent' | 'failed'; sentAt: number | null; attempts: number; lastError: string | null }[];
  /** Milliseconds left to the regulator deadline (negative: overdue). */
  deadlineLeftMs: number;
  deadline: number;
}

const DEFAULT_INFORMATION =
  'Account email addresses and the records the server keeps (hashed passwords, public device keys, ' +
  'signed family rosters, message routing and sizes). Voice messages and child profiles are ' +
  'end-to-end encrypted: they cannot be read from the server, its database or its backups.';
const DEFAULT_ACTIONS =
  'We contained the incident, are investigating how it happened, have rotated the credentials ' +
  'involved, and are notifying the regulator within 72 hours.';

export type { AuditPrincipal };

export interface IncidentsPorts {
  db: Db;
  mailer: Mailer;
  clock: Clock;
  contact: string;
  /** Account addresses, sealed at rest (accounts/email-store.ts): read, and sealed into incident_notices. */
  emails: AccountEmails;
  /** Canary accounts (tripwires/, known only to the honeychecker) are never "affected": nobody reads their mail. */
  isCanaryAccount?: (accountId: string) => boolean;
}

export function createIncidents({ db, mailer, clock, contact, emails, isCanaryAccount = () => false }: IncidentsPorts) {
  const sessions = createSessionStore({ db, clock });

  async function get(id: string): Promise<IncidentsTable> {
    const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new IncidentError(`No incident ${id}.`);
    return row;
  }

  const guardiansOf = async (familyIds: string[]): Promise<string[]> =>
    familyIds.length === 0
      ? []
      : (
          await db.selectFrom('family_members').select('account_id').where('family_id', 'in', familyIds).where('role', '=', 'guardian').execute()
        ).map((r) => r.account_id);

  /**
   * Everyone the scope reaches (docs/operations.md "Who is affected"): all accounts; one account; a
   * family's guardians now plus, from the audit trail, whoever acted as its guardian in the incident
   * window; or the guardians (now and then) of every family a principal reached in the window.
   */
  async function affected(incident: IncidentsTable): Promise<Affected[]> {
    return (await reached(incident)).filter((a) => !isCanaryAccount(a.accountId));
  }

  async function reached(incident: IncidentsTable): Promise<Affected[]> {
    const scope = parseScope(incident.scope);
    // Addresses are sealed at rest: the ids are chosen here, the addresses opened by their owner.
    const withEmails = async (ids: string[]): Promise<Affected[]> => {
      const found = await emails.emailsOf(db, ids);
      return [...found].map(([accountId, email]) => ({ accountId, email })).sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    };
    if (scope.kind === 'all') return withEmails((await db.selectFrom('accounts').select('id').execute()).map((r) => r.id));
    if (scope.kind === 'account') return withEmails([scope.id]);
    const window = incidentWindow(incident, clock.now());
    const families = scope.kind === 'family' ? [scope.id] : await familiesReachedBy(db, scope.who, window);
    const ids = new Set(await guardiansOf(families));
    for (const f of families) for (const id of await guardiansActingIn(db, f, window)) ids.add(id);
    if (ids.size === 0) return [];
    return withEmails([...ids]);
  }

  /** Ends every session of the account, remembering the tokens so a reuse raises an alert. */
  async function endSessions(accountId: string, reason: string): Promise<number> {
    const rows = await db.selectFrom('sessions').select(['token_hash', 'ip']).where('account_id', '=', accountId).execute();
    if (rows.length === 0) return 0;
    await rememberRevokedSessions(db, accountId, rows.map((r) => ({ tokenHash: r.token_hash, ip: r.ip })), reason, clock.now());
    return sessions.revokeAll(accountId, null);
  }

  /** The in-app notice (once), and what --force-sign-out / --force-reset do (once per account). */
  async function recordInApp(incidentId: string, accountId: string, options: NotifyOptions, result: NotifyResult) {
    const now = clock.now();
    await addInboxNotice(db, incidentId, accountId, now);
    const row = await db
      .selectFrom('incident_inbox')
      .select(['signed_out_at', 'reset_required_at'])
      .where('incident_id', '=', incidentId)
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    if (options.forceReset && row.reset_required_at === null) {
      const account = await db.selectFrom('accounts').select('password_hash').where('id', '=', accountId).executeTakeFirstOrThrow();
      await requirePasswordReset(db, accountId, incidentId, account.password_hash, now);
      await stampInboxNotice(db, incidentId, accountId, 'reset_required_at', now);
      result.resetsRequired++;
    }
    // A required reset would be hollow if a session opened with the old password lived on.
    if ((options.forceSignOut || options.forceReset) && row.signed_out_at === null) {
      result.sessionsEnded += await endSessions(accountId, `incident ${incidentId}`);
      await stampInboxNotice(db, incidentId, accountId, 'signed_out_at', now);
    }
    return {
      signedOut: row.signed_out_at !== null || Boolean(options.forceSignOut || options.forceReset),
      resetRequired: row.reset_required_at !== null || Boolean(options.forceReset),
    };
  }

  return {
    affected: async (id: string) => affected(await get(id)),

    async open(input: OpenIncident): Promise<IncidentsTable> {
      parseScope(input.scope);
      if (!input.summary.trim()) throw new IncidentError('--summary must say what happened.');
      const now = clock.now();
      const row: IncidentsTable = {
        id: `inc_${randomBytes(8).toString('hex')}`,
        summary: input.summary.trim(),
        scope: input.scope,
        information: input.information?.trim() || DEFAULT_INFORMATION,
        actions: input.actions?.trim() || DEFAULT_ACTIONS,
        occurred_from: input.occurredFrom ?? null,
        occurred_to: input.occurredTo ?? null,
        discovered_at: input.discoveredAt ?? now,
        opened_at: now,
      };
      await insertIncident(db, row);
      return row;
    },

    /** Sends each affected person the notice once. Re-running sends only to those not yet reached. */
    async notify(id: string, progress: ProgressFactory = silentProgress, options: NotifyOptions = {}): Promise<NotifyResult> {
      const incident = await get(id);
      const people = await affected(incident);
      const done = new Set(
        (
          await db.selectFrom('incident_notices').select('account_id').where('incident_id', '=', id).where('status', '=', 'sent').execute()
        ).map((r) => r.account_id),
      );
      const result: NotifyResult = { sent: 0, failed: 0, skipped: 0, sessionsEnded: 0, resetsRequired: 0 };
      const step = progress('notifying', people.length);
      for (const person of people) {
        step.tick();
        // Recorded before the mail, so the web app shows the notice even when the mail fails.
        const forced = await recordInApp(id, person.accountId, options, result);
        if (done.has(person.accountId)) {
          result.skipped++;
          continue;
        }
        const notice = renderNotice(incident, { contact, noticeDate: clock.now(), ...forced });
        let error: string | null = null;
        try {
          await mailer.send({ to: person.email, subject: notice.subject, text: notice.text });
        } catch (err) {
          error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
        }
        // The recipient's address is kept sealed too: a dump of incident_notices is no mailing list.
        await recordNotice(db, { incidentId: id, accountId: person.accountId, email: emails.seal(person.accountId, person.email), error, now: clock.now() });
        if (error === null) result.sent++;
        else result.failed++;
      }
      step.done();
      return result;
    },

    async status(id: string): Promise<IncidentStatus> {
      const incident = await get(id);
      const people = await affected(incident);
      const rows = await db.selectFrom('incident_notices').selectAll().where('incident_id', '=', id).orderBy('account_id').execute();
      const deadline = incident.discovered_at + REGULATOR_DEADLINE_MS;
      return {
        incident,
        affected: people.length,
        notices: rows.map((r) => ({ accountId: r.account_id, email: emails.openSealed(r.account_id, r.email), status: r.status, sentAt: r.sent_at, attempts: r.attempts, lastError: r.last_error })),
        deadline,
        deadlineLeftMs: deadline - clock.now(),
      };
    },
  };
}

export type Incidents = ReturnType<typeof createIncidents>;
