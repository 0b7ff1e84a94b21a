/**
 * The account's own data, exported (issue 13 item 3; GET /v1/me/export): the account, its families
 * and devices, sessions, security log and the audit events naming it — everything the server holds
 * about the caller in clear. Messages are not here: the server cannot open them; the app decrypts
 * what its device can open. Read-only, so it reads the tables directly (docs/architecture.md: reads
 * that serve one page stay in their service).
 */
import type { AccountExport } from '@burrow/api';
import type { AccountEmails } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { signInFirst } from '../errors/index.js';

/** Audit events are kept for a retention period; this caps one export all the same. */
export const EXPORT_AUDIT_LIMIT = 10_000;

export function createAccountExport({ db, clock, emails }: { db: Db; clock: Clock; emails: AccountEmails }) {
  return {
    async exportAccount(accountId: string): Promise<AccountExport> {
      const account = await db
        .selectFrom('accounts')
        .select(['id', 'email_verified_at', 'created_at'])
        .where('id', '=', accountId)
        .executeTakeFirst();
      const email = await emails.emailOf(db, accountId);
      if (!account || email === undefined) throw signInFirst();
      const [families, devices, sessions, securityEvents, auditEvents] = await Promise.all([
        db
          .selectFrom('family_members')
          .select(['family_id', 'role'])
          .where('account_id', '=', accountId)
          .orderBy('family_id')
          .execute(),
        db
          .selectFrom('devices')
          .select(['id', 'created_at'])
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .execute(),
        db
          .selectFrom('sessions')
          .select(['id', 'created_at', 'last_used_at', 'expires_at', 'ip', 'user_agent'])
          .where('account_id', '=', accountId)
          .orderBy('created_at', 'desc')
          .execute(),
        db
          .selectFrom('security_events')
          .select(['kind', 'at', 'ip', 'browser', 'detail'])
          .where('account_id', '=', accountId)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .execute(),
        db
          .selectFrom('audit_events')
          .select(['at', 'action', 'status', 'family_id', 'device_id', 'ip', 'resource'])
          .where('account_id', '=', accountId)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .limit(EXPORT_AUDIT_LIMIT)
          .execute(),
      ]);
      return {
        exportedAt: clock.now(),
        account: {
          accountId: account.id,
          email,
          emailVerified: account.email_verified_at !== null,
          createdAt: Number(account.created_at),
        },
        families: families.map((f) => ({ familyId: f.family_id, role: f.role })),
        devices: devices.map((d) => ({ deviceId: d.id, createdAt: Number(d.created_at) })),
        sessions: sessions.map((s) => ({
          sessionId: s.id,
          createdAt: Number(s.created_at),
          lastUsedAt: s.last_used_at === null ? null : Number(s.last_used_at),
          expiresAt: Number(s.expires_at),
          ip: s.ip,
          userAgent: s.user_agent,
        })),
        securityEvents: securityEvents.map((e) => ({ ...e, at: Number(e.at) })),
        auditEvents: auditEvents.map((e) => ({
          at: Number(e.at),
          action: e.action,
          status: e.status,
          familyId: e.family_id,
          deviceId: e.device_id,
          ip: e.ip,
          resource: e.resource,
        })),
      };
    },
  };
}

export type AccountExporter = ReturnType<typeof createAccountExport>;
