/** The words the Toys page shows for a toy's software check-in (components/ToySoftware.tsx). */
import type { ToyUpdateStatusResponse } from '@burrow/api';

/** Never colour alone: the state and the version in a sentence. */
export function softwareText(status: ToyUpdateStatusResponse['status']): string {
  if (status === null) return 'Software version not reported yet.';
  const base = `Software ${status.version}`;
  if (status.state === 'pending') return `${base} — an update is installed and starts next time the toy restarts.`;
  if (status.state === 'rolled_back') return `${base} — the last update did not start, so the toy went back to this version.`;
  return status.available ? `${base} — update ${status.available} available; the toy installs it at its next check.` : `${base} — up to date.`;
}
