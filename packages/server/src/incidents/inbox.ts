/**
 * The in-app side of incident notices: what `GET /v1/me/notices` lists for the signed-in account
 * (the same five sections and dates as the mail) and marking one read. A notice is never deleted by
 * reading it: it stays on the Notices page.
 */
import type { NoticesResponse } from '@burrow/api';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { notFound } from '../errors/index.js';
import { noticeSections } from './notice.js';
import { stampInboxNotice } from './store.js';

export function createIncidentInbox({ db, clock, contact }: { db: Db; clock: Clock; contact: string }) {
  return {
    async list(accountId: string): Promise<NoticesResponse> {
      const rows = await db
        .selectFrom('incident_inbox')
        .innerJoin('incidents', 'incidents.id', 'incident_inbox.incident_id')
        .selectAll('incidents')
        .select(['incident_inbox.created_at as notice_date', 'incident_inbox.read_at', 'incident_inbox.signed_out_at', 'incident_inbox.reset_required_at'])
        .where('incident_inbox.account_id', '=', accountId)
        .orderBy('incident_inbox.created_at', 'desc')
        .orderBy('incidents.id')
        .execute();
      const notices = rows.map((r) => {
        const forced = { signedOut: r.signed_out_at !== null, resetRequired: r.reset_required_at !== null };
        return {
          incidentId: r.id,
          title: 'Notice of Data Breach' as const,
          noticeDate: r.notice_date,
          occurredFrom: r.occurred_from,
          occurredTo: r.occurred_to,
          discoveredAt: r.discovered_at,
          sections: noticeSections(r, { contact, noticeDate: r.notice_date, ...forced }),
          ...forced,
          readAt: r.read_at,
        };
      });
      return { notices, unread: notices.filter((n) => n.readAt === null).length };
    },

    async markRead(accountId: string, incidentId: string): Promise<void> {
      const row = await db
        .selectFrom('incident_inbox')
        .select('read_at')
        .where('account_id', '=', accountId)
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      if (!row) throw notFound('notice_not_found', 'No such notice.');
      if (row.read_at === null)
        await stampInboxNotice(db, incidentId, accountId, 'read_at', clock.now());
    },
  };
}

export type IncidentInbox = ReturnType<typeof createIncidentInbox>;
