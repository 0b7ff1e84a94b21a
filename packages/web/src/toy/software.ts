/**
 * The simulator's software line (docs/updates.md). A browser toy is updated with the web app, not
 * through signed bundles, so it only asks the mirror whether a newer toy version exists and checks
 * in its version, so guardians see it on the Toys page like a real toy's.
 */
import type { LatestUpdateResponse } from '@burrow/api';
import type { ApiClient } from '@burrow/client';
import { i18n } from '../i18n/index.js';

/** The version of the toy code this simulator runs (the headless toy's TOY_VERSION). */
export const SIMULATOR_VERSION = '0.1.0';
const TARGET = 'burrow-toy';

export interface SoftwareCheck {
  version: string;
  /** A newer version on the server, or null: up to date. */
  available: string | null;
}

/** Asks for a newer version and reports this one; needs the toy's token (a registered toy). */
export async function checkSoftware(api: ApiClient): Promise<SoftwareCheck> {
  const query = `target=${TARGET}&current=${SIMULATOR_VERSION}`;
  const { manifest } = await api.request<LatestUpdateResponse>('GET', `/v1/toys/me/update?${query}`);
  await api.request<void>('PUT', '/v1/toys/me/update-status', { target: TARGET, version: SIMULATOR_VERSION, state: 'current' }).catch(() => undefined);
  return { version: SIMULATOR_VERSION, available: manifest?.version ?? null };
}

export function softwareLine(check: SoftwareCheck | null): string {
  if (check === null) return i18n.t('simulator.softwareVersion', { version: SIMULATOR_VERSION });
  return check.available
    ? i18n.t('simulator.softwareNewer', { version: check.version, available: check.available })
    : i18n.t('simulator.softwareUpToDate', { version: check.version });
}
