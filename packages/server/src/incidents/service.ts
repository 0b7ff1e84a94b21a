/**
 * Incidents: open one (what happened, its scope, when it was discovered), compute who is affected,
 * notify each affected person once (idempotent; failures recorded and retried on the next run),
 * and report status and the regulator's report against the GDPR Art. 33 72-hour deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import type { Db, IncidentsTable } from '../db/index.js';
import type { Mailer } from '../mail/index.js';
import { silentProgress, type ProgressFactory } from '../backup/progress.js';
import { renderNotice } from './notice.js';

/** GDPR Art. 33(1): notify the supervisory authority within 72 hours of becoming aware. */
export const REGULATOR_DEADLINE_MS = 72 * 60 * 60 * 1000;

export class IncidentError extends Error {
  override readonly name = 'IncidentError';
}

export type Scope = { kind: 'all' } | { kind: 'family'; id: string } | { kind: 'account'; id: string };

export function parseScope(text: string): Scope {
  if (text === 'all') return { kind: 'all' };
  const m = /^(family|account):([A-Za-z0-9_-]{1,128})$/.exec(text);
  if (!m?.[1] || !m[2]) throw new IncidentError('--scope must be all, family:<id> or account:<id>.');
  return { kind: m[1] as 'family' | 'account', id: m[2] };
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

export function createIncidents({ db, mailer, clock, contact }: { db: Db; mailer: Mailer; clock: Clock; contact: string }) {
  async function get(id: string): Promise<IncidentsTable> {
    const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new IncidentError(`No incident ${id}.`);
    return row;
  }

  /** Everyone the scope reaches: all accounts, a family's guardians, or one account. */
  async function affected(incident: IncidentsTable): Promise<Affected[]> {
    const scope = parseScope(incident.scope);
    let query = db.selectFrom('accounts').select(['accounts.id as accountId', 'accounts.email as email']);
    if (scope.kind === 'account') query = query.where('accounts.id', '=', scope.id);
    if (scope.kind === 'family')
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('family_members')
            .select('family_members.account_id')
            .whereRef('family_members.account_id', '=', 'accounts.id')
            .where('family_members.family_id', '=', scope.id)
            .where('family_members.role', '=', 'guardian'),
        ),
      );
    return query.orderBy('accounts.id').execute();
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
      await db.insertInto('incidents').values(row).execute();
      return row;
    },

    /** Sends each affected person the notice once. Re-running sends only to those not yet reached. */
    async notify(id: string, progress: ProgressFactory = silentProgress): Promise<NotifyResult> {
      const incident = await get(id);
      const people = await affected(incident);
      const done = new Set(
        (
          await db.selectFrom('incident_notices').select('account_id').where('incident_id', '=', id).where('status', '=', 'sent').execute()
        ).map((r) => r.account_id),
      );
      const result: NotifyResult = { sent: 0, failed: 0, skipped: 0 };
      const step = progress('notifying', people.length);
      for (const person of people) {
        step.tick();
        if (done.has(person.accountId)) {
          result.skipped++;
          continue;
        }
        const notice = renderNotice(incident, { contact, noticeDate: clock.now() });
        let error: string | null = null;
        try {
          await mailer.send({ to: person.email, subject: notice.subject, text: notice.text });
        } catch (err) {
          error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
        }
        const now = clock.now();
        const status = error === null ? 'sent' : 'failed';
        await db
          .insertInto('incident_notices')
          .values({ incident_id: id, account_id: person.accountId, email: person.email, status, attempts: 1, last_error: error, sent_at: error === null ? now : null, updated_at: now })
          .onConflict((oc) =>
            oc.columns(['incident_id', 'account_id']).doUpdateSet((eb) => ({
              status,
              attempts: eb('incident_notices.attempts', '+', 1),
              last_error: error,
              sent_at: error === null ? now : null,
              updated_at: now,
            })),
          )
          .execute();
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
        notices: rows.map((r) => ({ accountId: r.account_id, email: r.email, status: r.status, sentAt: r.sent_at, attempts: r.attempts, lastError: r.last_error })),
        deadline,
        deadlineLeftMs: deadline - clock.now(),
      };
    },
  };
}

export type Incidents = ReturnType<typeof createIncidents>;
