/**
 * How an account is told about what happens to it: the security log it reads on its Security page
 * (security-events.ts) and the mails to its address (notices.ts). Built once per app and shared by
 * the account capabilities (accounts, sessions, second-factors, recovery), so each records and
 * mails a change the same way.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import type { AccountEmails } from './email-store.js';
import type { Mailer } from '../mail/index.js';
import { createNotices, type Notices } from './notices.js';
import type { RequestMeta } from './request-meta.js';
import { createSecurityEvents, type SecurityEventKind, type SecurityEvents } from './security-events.js';

export interface Telling {
  events: SecurityEvents;
  notices: Notices;
  /** Records a security change in the account's log and mails its owner `what` happened. */
  changed(accountId: string, kind: SecurityEventKind, meta: RequestMeta | null, what: string, detail?: string): Promise<void>;
}

export function createTelling({ db, clock, log, mailer, emails }: { db: Db; clock: Clock; log: Logger; mailer: Mailer; emails: AccountEmails }): Telling {
  const events = createSecurityEvents({ db, clock });
  const notices = createNotices({ mailer, log });
  return {
    events,
    notices,
    async changed(accountId, kind, meta, what, detail) {
      await events.record(accountId, kind, meta, detail);
      const email = await emails.emailOf(db, accountId);
      if (email === undefined) throw new Error('no such account');
      notices.securityChange(email, what);
    },
  };
}
