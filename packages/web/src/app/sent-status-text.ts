/**
 * The sentence Talk shows after a send, from where the server says the message is on the toy
 * (`SentToyStatus`, docs/api.md "Where a sent message is") — never a promise the toy does not keep:
 * "glowing" only once the toy fetched it.
 */
import type { SentToyStatus } from '@burrow/api';
import { t } from '../i18n/index.js';
import { formatClock } from './date-time.js';

/** What the sender is told about a message sent to `toyName`; `status` undefined: not known yet. */
export function sentStatusText(status: SentToyStatus | undefined, toyName: string): string {
  switch (status?.state) {
    case undefined:
      return t('sent.checking');
    case 'review':
      return t('sent.review', { toy: toyName });
    case 'quiet_hours':
      return t('sent.quietHours', { until: status.quietUntil ? formatClock(status.quietUntil) : t('sent.setTime'), toy: toyName });
    case 'waiting':
      return t('sent.waiting', { toy: toyName });
    case 'delivered':
      return t('sent.delivered', { toy: toyName });
    case 'played':
      return t('sent.played', { toy: toyName });
    case 'declined':
      return t('sent.declined');
  }
}
