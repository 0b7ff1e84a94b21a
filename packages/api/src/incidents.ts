/** Incident notices as the signed-in account reads them (docs/api.md, "Notices"). */
import { Type, type Static } from '@sinclair/typebox';

/** The headings California Civil Code § 1798.82(d)(1) requires, in its order: the mail and the web app use them. */
export const NOTICE_HEADINGS = [
  'What Happened',
  'What Information Was Involved',
  'What We Are Doing',
  'What You Can Do',
  'For More Information',
] as const;
export type NoticeHeading = (typeof NOTICE_HEADINGS)[number];

export const IncidentParams = Type.Object({
  incidentId: Type.String({ pattern: '^inc_[0-9a-f]{16}$', description: 'Incident id (inc_…).' }),
});

export const NoticeSection = Type.Object({
  heading: Type.Union(NOTICE_HEADINGS.map((h) => Type.Literal(h)), { description: 'A heading Cal. Civ. Code § 1798.82(d)(1) requires, in its order.' }),
  body: Type.String(),
});
export type NoticeSection = Static<typeof NoticeSection>;

export const Notice = Type.Object({
  incidentId: Type.String(),
  title: Type.Literal('Notice of Data Breach'),
  noticeDate: Type.Integer({ description: 'When this account was notified (ms since the epoch).' }),
  occurredFrom: Type.Union([Type.Integer(), Type.Null()]),
  occurredTo: Type.Union([Type.Integer(), Type.Null()]),
  discoveredAt: Type.Integer(),
  sections: Type.Array(NoticeSection, { minItems: 5, maxItems: 5 }),
  signedOut: Type.Boolean({ description: 'Every session of the account was ended.' }),
  resetRequired: Type.Boolean({ description: 'A new password was required at the next sign-in.' }),
  readAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type Notice = Static<typeof Notice>;

export const NoticesResponse = Type.Object({
  notices: Type.Array(Notice, { description: 'Newest first.' }),
  unread: Type.Integer(),
});
export type NoticesResponse = Static<typeof NoticesResponse>;
