/**
 * The account's security log: sign-ins, new browsers, password changes and resets, second-factor and
 * passkey changes, recovery codes used or renewed, sessions ended. Listed to the account itself on
 * the Security page (GET /v1/me/security-events). Holds what the sessions list already shows (address,
 * browser name) and never a secret.
 */
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import type { IpPage } from './ip-fade.js';
import { logIpPage } from './log-ip-page.js';
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
 * Fades (ip-fade.ts) the addresses of security events older than `before()`: one page of the daily
 * maintenance's job (ipFadeJob), a window of ids in the log's time order (log-ip-page.ts).
 */
export function fadeSecurityEventIps(db: Db, before: () => number): IpPage<number> {
  return logIpPage(db, 'security_events', before, (trx, ip, ids) => trx.updateTable('security_events').set({ ip }).where('id', 'in', ids).execute());
}
