/** The words the Toys page shows for a toy's software check-in (components/ToySoftware.tsx). */
import type { ToyUpdateStatusResponse } from '@burrow/api';
import { t } from '../i18n/index.js';

/** Never colour alone: the state and the version in a sentence. */
export function softwareText(status: ToyUpdateStatusResponse['status']): string {
  if (status === null) return t('software.notReported');
  const version = status.version;
  if (status.state === 'pending') return t('software.pending', { version });
  if (status.state === 'rolled_back') return t('software.rolledBack', { version });
  return status.available
    ? t('software.available', { version, available: status.available })
    : t('software.current', { version });
}
