/**
 * The owner (STYLE.md 13) of the incident tables: `incidents`, `incident_notices` (the mail sent to
 * each affected account), `incident_inbox` (the in-app notice and what notify forced on the
 * account), `forced_password_resets` and `revoked_credentials` (tokens an incident revoked, so one
 * presented again raises an alert). Sessions themselves are ended through sessions/store.ts.
 */
import { sql } from 'kysely';
import { keyPage, type IpPage } from '../accounts/index.js';
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

/**
 * Seals the recipient addresses of notices written before addresses were sealed at rest (migration
 * 0830): `seal` is AccountEmails.seal, bound to the account. `batch` rows per transaction, found by
 * the partial index of migration 0910 (a sealed value never holds an '@', an address always does),
 * so once none is left a start reads nothing. Idempotent; returns how many it sealed. Run at start (app.ts).
 */
export async function sealClearNoticeEmails(db: Db, seal: (accountId: string, email: string) => string, batch = 500): Promise<number> {
  // A literal, not a parameter: SQLite uses a partial index only for the very term it was made with.
  const clear = sql<boolean>`email like '%@%'`;
  let sealed = 0;
  for (;;) {
    const rows = await db
      .selectFrom('incident_notices')
      .select(['incident_id', 'account_id', 'email'])
      .where(clear)
      .orderBy('incident_id')
      .orderBy('account_id')
      .limit(batch)
      .execute();
    if (rows.length === 0) return sealed;
    await db.transaction().execute(async (trx) => {
      for (const r of rows)
        await trx
          .updateTable('incident_notices')
          .set({ email: seal(r.account_id, r.email) })
          .where('incident_id', '=', r.incident_id)
          .where('account_id', '=', r.account_id)
          .where(clear)
          .execute();
    });
    sealed += rows.length;
  }
}

/**
 * Fades the address a revoked session was last used from (accounts/ip-fade.ts) once it was revoked
 * more than IP_KEEP_DAYS ago (`before()`): one page of the daily maintenance's job (ipFadeJob), the
 * next `limit` rows by token hash (a range of the primary key; the filter by age and address scanned
 * the whole table in one statement). The detector that compares it (anomalies/detectors.ts)
 * compares networks then.
 */
export function fadeRevokedCredentialIps(db: Db, before: () => number): IpPage<string> {
  return keyPage(
    async (after, limit) => {
      const page = db.selectFrom('revoked_credentials').select(['token_hash as id', 'last_ip as ip', 'revoked_at']).orderBy('token_hash').limit(limit);
      // From '' on the first page: a range of the key (SEARCH), which SQLite's plan says it is.
      return page.where('token_hash', '>', after ?? '').execute();
    },
    (row) => Number(row.revoked_at) < before(),
    (groups) =>
      db.transaction().execute(async (trx) => {
        for (const [ip, ids] of groups) await trx.updateTable('revoked_credentials').set({ last_ip: ip }).where('token_hash', 'in', ids).execute();
      }),
  );
}
