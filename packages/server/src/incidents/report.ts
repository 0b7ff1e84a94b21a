/**
 * The regulator's report, with the contents GDPR Art. 33(3) lists: (a) the nature of the breach with
 * the categories and approximate numbers of people and records, (b) a contact point, (c) the likely
 * consequences, (d) the measures taken; plus Art. 33(1)'s reasons when it is later than 72 hours.
 */
import { occurredText } from './notice.js';
import type { IncidentStatus } from './service.js';

const when = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());

export function renderReport(status: IncidentStatus, contact: string, now: number): string {
  const { incident, notices } = status;
  const sent = notices.filter((n) => n.status === 'sent').length;
  const failed = notices.filter((n) => n.status === 'failed').length;
  const late = now > status.deadline;
  return [
    `# Personal data breach report — ${incident.id}`,
    '',
    `Prepared: ${when(now)}`,
    `Became aware: ${when(incident.discovered_at)} (deadline under GDPR Art. 33(1): ${when(status.deadline)})`,
    `Occurred: ${occurredText(incident)}`,
    `Scope: ${incident.scope}`,
    '',
    '## (a) Nature of the breach',
    incident.summary,
    '',
    `Data subjects concerned (approximate): ${String(status.affected)} account holders (guardians) and their families.`,
    `Categories of personal data: ${incident.information}`,
    '',
    '## (b) Contact point',
    contact,
    '',
    '## (c) Likely consequences',
    'Exposure of account email addresses and service metadata; phishing aimed at the people concerned. ' +
      'Voice recordings and child profiles are end-to-end encrypted and cannot be read from the server, ' +
      'its database or its backups.',
    '',
    '## (d) Measures taken or proposed',
    incident.actions,
    '',
    '## Communication to the people concerned (Art. 34)',
    `Notices sent: ${String(sent)} of ${String(status.affected)}; delivery failures pending retry: ${String(failed)}.`,
    ...(late
      ? ['', '## Reasons for the delay (Art. 33(1))', 'This report is made later than 72 hours after becoming aware of the breach: state the reasons here.']
      : []),
    '',
  ].join('\n');
}
