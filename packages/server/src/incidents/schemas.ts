import { Type } from '@sinclair/typebox';
import { NOTICE_HEADINGS } from './notice.js';

export const IncidentParams = Type.Object({
  incidentId: Type.String({ pattern: '^inc_[0-9a-f]{16}$', description: 'Incident id (inc_…).' }),
});

const Section = Type.Object({
  heading: Type.Union(NOTICE_HEADINGS.map((h) => Type.Literal(h)), { description: 'A heading Cal. Civ. Code § 1798.82(d)(1) requires, in its order.' }),
  body: Type.String(),
});

export const Notice = Type.Object({
  incidentId: Type.String(),
  title: Type.Literal('Notice of Data Breach'),
  noticeDate: Type.Integer({ description: 'When this account was notified (ms since the epoch).' }),
  occurredFrom: Type.Union([Type.Integer(), Type.Null()]),
  occurredTo: Type.Union([Type.Integer(), Type.Null()]),
  discoveredAt: Type.Integer(),
  sections: Type.Array(Section, { minItems: 5, maxItems: 5 }),
  signedOut: Type.Boolean({ description: 'Every session of the account was ended.' }),
  resetRequired: Type.Boolean({ description: 'A new password was required at the next sign-in.' }),
  readAt: Type.Union([Type.Integer(), Type.Null()]),
});

export const NoticesResponse = Type.Object({
  notices: Type.Array(Notice, { description: 'Newest first.' }),
  unread: Type.Integer(),
});
