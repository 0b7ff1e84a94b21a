/**
 * The account's security log: sign-ins, new browsers, password changes and resets, second-factor and
 * passkey changes, recovery codes used or renewed, sessions ended. Listed to the account itself on
 * the Security page (GET /v1/me/security-events). Holds what the sessions list already shows (address,
 * browser name) and never a secret.
 */
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { countFaded, fadedGroups, type IpPage } from './ip-fade.js';
import { describeUserAgent } from './user-agent.js';

export const SECURITY_EVENT_KINDS = [
  'signed_up',
  'signed_in',
  'signed_in_passkey',
  'new_browser',
  'second_factor_failed',
  'password_changed',
  'password_reset',
  'password_reset_recovery_code',
  'totp_enabled',
  'totp_disabled',
  'passkey_added',
  'passkey_renamed',
  'passkey_removed',
  'recovery_codes_renewed',
  'recovery_code_used',
  'session_revoked',
  'other_sessions_revoked',
  'sign_up_attempt_existing_email',
  'family_second_factor_required',
  'family_second_factor_not_required',
] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export interface SecurityEvent {
  kind: SecurityEventKind;
  at: number;
  ip: string | null;
  browser: string | null;
  detail: string | null;
}

export interface EventMeta {
  ip: string;
  userAgent: string | null;
}

export const SECURITY_EVENTS_LISTED = 50;

export interface SecurityEvents {
  record(accountId: string, kind: SecurityEventKind, meta: EventMeta | null, detail?: string): Promise<void>;
  /** The most recent first, at most SECURITY_EVENTS_LISTED. */
  list(accountId: string): Promise<SecurityEvent[]>;
}

export function createSecurityEvents({ db, clock }: { db: Db; clock: Clock }): SecurityEvents {
  return {
    async record(accountId, kind, meta, detail) {
      await db
        .insertInto('security_events')
        .values({
          account_id: accountId,
          kind,
          at: clock.now(),
          ip: meta?.ip ?? null,
          browser: meta ? describeUserAgent(meta.userAgent).label : null,
          detail: detail?.slice(0, 200) ?? null,
        })
        .execute();
    },
    async list(accountId) {
      const rows = await db
        .selectFrom('security_events')
        .select(['kind', 'at', 'ip', 'browser', 'detail'])
        .where('account_id', '=', accountId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(SECURITY_EVENTS_LISTED)
        .execute();
      return rows.map((r) => ({ ...r, kind: r.kind as SecurityEventKind }));
    },
  };
}

/** Deletes an account's security log (account deletion, erasure/). */
export async function deleteSecurityEventsOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('security_events').where('account_id', '=', accountId).execute();
}

/**
 * Fades (ip-fade.ts) the addresses of events older than `before()`: one page of the daily
 * maintenance's job (ipFadeJob), as the audit trail's (audit/recorder.ts fadeAuditIps). A page is a
 * window of `limit` ids after `after`, not "at < cut-off by id, limit n", which walked every recent
 * event of the log in the last page of a pass (there is no index on `at` alone). The log is in time
 * order, so a pass ends at its first event still within the keep period, and the next starts there.
 */
export function fadeSecurityEventIps(db: Db, before: () => number): IpPage<number> {
  return async (after, limit) => {
    // The ends are two key lookups.
    // Two scalar subqueries: SQLite answers a lone min() or max() from the key's ends, but both in
    // one select scan the whole table (EXPLAIN QUERY PLAN: SCAN … USING COVERING INDEX).
    const ends = await db
      .selectNoFrom((eb) => [
        eb.selectFrom('security_events').select((e) => e.fn.min('id').as('id')).as('first'),
        eb.selectFrom('security_events').select((e) => e.fn.max('id').as('id')).as('last'),
      ])
      .executeTakeFirst();
    const last = Number(ends?.last ?? 0);
    const from = after ?? Math.max(0, Number(ends?.first ?? 1) - 1);
    const to = Math.min(from + limit, last);
    const cutOff = before();
    const window = await db.selectFrom('security_events').select(['id', 'ip', 'at']).where('id', '>', from).where('id', '<=', to).orderBy('id').execute();
    // Stepping over a recent event would leave it whole for good once the cursor moved past it.
    const recent = window.findIndex((row) => Number(row.at) >= cutOff);
    const rows = recent < 0 ? window : window.slice(0, recent);
    const groups = fadedGroups(rows);
    if (groups.size > 0)
      await db.transaction().execute(async (trx) => {
        for (const [ip, ids] of groups) await trx.updateTable('security_events').set({ ip }).where('id', 'in', ids).execute();
      });
    if (recent >= 0) return { lastId: recent === 0 ? from : Number(rows.at(-1)!.id), scanned: recent, faded: countFaded(groups) };
    // The window's width is what was looked at: short only at the newest id, which ends the pass.
    return { lastId: Math.max(from, to), scanned: Math.max(0, to - from), faded: countFaded(groups) };
  };
}
