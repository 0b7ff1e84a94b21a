/**
 * The owner (STYLE.md 13) of the incident tables: `incidents`, `incident_notices` (the mail sent to
 * each affected account), `incident_inbox` (the in-app notice and what notify forced on the
 * account), `forced_password_resets` and `revoked_credentials` (tokens an incident revoked, so one
 * presented again raises an alert). Sessions themselves are ended through sessions/store.ts.
 */
import type { Db, IncidentsTable } from '../db/index.js';

/** Stores a newly opened incident. */
export async function insertIncident(db: Db, incident: IncidentsTable): Promise<void> {
  await db.insertInto('incidents').values(incident).execute();
}

/** Records the outcome of one notice mail; a retry counts another attempt. */
export async function recordNotice(
  db: Db,
  notice: { incidentId: string; accountId: string; email: string; error: string | null; now: number },
): Promise<void> {
  const { incidentId, accountId, email, error, now } = notice;
  const status = error === null ? 'sent' : 'failed';
  await db
    .insertInto('incident_notices')
    .values({ incident_id: incidentId, account_id: accountId, email, status, attempts: 1, last_error: error, sent_at: error === null ? now : null, updated_at: now })
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
}

/** Puts the incident's notice in the account's in-app inbox (once). */
export async function addInboxNotice(db: Db, incidentId: string, accountId: string, now: number): Promise<void> {
  await db
    .insertInto('incident_inbox')
    .values({ incident_id: incidentId, account_id: accountId, created_at: now, read_at: null, signed_out_at: null, reset_required_at: null })
    .onConflict((oc) => oc.columns(['incident_id', 'account_id']).doNothing())
    .execute();
}

/** Stamps one of the inbox notice's moments: read, signed out, reset required. */
export async function stampInboxNotice(
  db: Db,
  incidentId: string,
  accountId: string,
  moment: 'read_at' | 'signed_out_at' | 'reset_required_at',
  now: number,
): Promise<void> {
  await db
    .updateTable('incident_inbox')
    .set(moment === 'read_at' ? { read_at: now } : moment === 'signed_out_at' ? { signed_out_at: now } : { reset_required_at: now })
    .where('incident_id', '=', incidentId)
    .where('account_id', '=', accountId)
    .execute();
}

/** The account must reset its password before signing in, until its hash is no longer `passwordHashAt`. */
export async function requirePasswordReset(
  db: Db,
  accountId: string,
  incidentId: string,
  passwordHashAt: string,
  now: number,
): Promise<void> {
  const values = { incident_id: incidentId, password_hash_at: passwordHashAt, created_at: now };
  await db
    .insertInto('forced_password_resets')
    .values({ account_id: accountId, ...values })
    .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
    .execute();
}

/** The password changed: the requirement lifts. */
export async function liftPasswordReset(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('forced_password_resets').where('account_id', '=', accountId).execute();
}

/** Remembers revoked session tokens (by hash), so one presented again raises an alert. */
export async function rememberRevokedSessions(
  db: Db,
  accountId: string,
  sessions: readonly { tokenHash: string; ip: string | null }[],
  reason: string,
  now: number,
): Promise<void> {
  if (sessions.length === 0) return;
  await db
    .insertInto('revoked_credentials')
    .values(sessions.map((s) => ({ token_hash: s.tokenHash, kind: 'session' as const, account_id: accountId, last_ip: s.ip, reason, revoked_at: now })))
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
}

/**
 * Deletes what incidents keep about one account (account deletion, erasure/): its notices (they hold
 * its address), inbox entries, forced reset and revoked-session records. The incident itself stays.
 */
export async function deleteIncidentRowsOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('incident_notices').where('account_id', '=', accountId).execute();
  await db.deleteFrom('incident_inbox').where('account_id', '=', accountId).execute();
  await db.deleteFrom('forced_password_resets').where('account_id', '=', accountId).execute();
  await db.deleteFrom('revoked_credentials').where('account_id', '=', accountId).execute();
}
