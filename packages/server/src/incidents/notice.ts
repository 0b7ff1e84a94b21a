/**
 * The notice a family receives, with the headings California Civil Code § 1798.82(d)(1) requires,
 * in its order, and the dates it asks for (the breach or its estimated range, and the notice).
 */
import { NOTICE_HEADINGS, type NoticeSection } from '@burrow/api';
import type { IncidentsTable } from '../db/index.js';

// The headings and the section shape are part of the API (GET /v1/me/notices): written in @burrow/api.
export { NOTICE_HEADINGS, type NoticeSection };

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** "on 2026-11-20", "between 2026-11-18 and 2026-11-20", or "on a date not yet known". */
export function occurredText(incident: Pick<IncidentsTable, 'occurred_from' | 'occurred_to'>): string {
  const { occurred_from: from, occurred_to: to } = incident;
  if (from === null) return 'on a date we have not yet determined';
  if (to === null || day(to) === day(from)) return `on ${day(from)}`;
  return `between ${day(from)} and ${day(to)}`;
}

export interface NoticeOptions {
  /** Where people can ask questions (BURROW_PUBLIC_URL or the operator's contact). */
  contact: string;
  noticeDate: number;
  /** notify --force-sign-out / --force-reset: the notice says what was done to the account. */
  signedOut?: boolean;
  resetRequired?: boolean;
}

/** The five sections, in the order § 1798.82(d)(1) gives them: the mail and the web app show these. */
export function noticeSections(incident: IncidentsTable, options: NoticeOptions): NoticeSection[] {
  const forced = [
    ...(options.signedOut ? ['We have signed your account out of every browser and device: sign in again to continue.'] : []),
    ...(options.resetRequired
      ? ['You must choose a new password before you can sign in again: use the link we mail you when you next sign in, or "Forgot your password?" on the sign-in page.']
      : []),
  ];
  return [
    {
      heading: 'What Happened',
      body: `${incident.summary}\n\nThe incident occurred ${occurredText(incident)}. We discovered it on ${day(incident.discovered_at)}.`,
    },
    { heading: 'What Information Was Involved', body: incident.information },
    { heading: 'What We Are Doing', body: incident.actions },
    {
      heading: 'What You Can Do',
      body: [
        ...forced,
        'Sign in and review the devices and members of your family, and remove any you do not recognise. ' +
          'If you used your Burrow password anywhere else, change it there. Be wary of messages that claim ' +
          'to come from Burrow and ask for your password: we never ask for it.',
      ].join('\n\n'),
    },
    { heading: 'For More Information', body: `Reply to this message or contact us at ${options.contact}. Incident reference: ${incident.id}.` },
  ];
}

export function renderNotice(incident: IncidentsTable, options: NoticeOptions): { subject: string; text: string } {
  const text = [
    `Notice of Data Breach`,
    `Date of this notice: ${day(options.noticeDate)}`,
    '',
    ...noticeSections(incident, options).flatMap(({ heading, body }) => [heading, '-'.repeat(heading.length), body, '']),
  ].join('\n');
  return { subject: 'Notice of Data Breach', text };
}
