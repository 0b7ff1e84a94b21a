/**
 * The toy's check-in about its software (PUT /v1/toys/me/update-status): what it runs, whether an
 * update waits for its trial start or was rolled back. Guardians see it on the Toys page. Best
 * effort: a toy that cannot reach the server keeps working and reports at its next check.
 */
import { FileStore } from '../file-store.js';
import { TOY_TARGET } from './release-key.js';
import type { UpdateState } from './slots.js';

/** The report body for a state: a pending trial first, then a rollback of the last update. */
export function reportOf(state: UpdateState): { target: string; version: string; state: 'current' | 'pending' | 'rolled_back'; detail?: string } {
  if (state.trial) return { target: TOY_TARGET, version: state.version, state: 'pending', detail: `${state.trial.version} starts on the next boot` };
  if (state.last?.kind === 'rolled_back') return { target: TOY_TARGET, version: state.version, state: 'rolled_back', detail: `${state.last.version}: ${state.last.reason ?? 'did not start'}`.slice(0, 200) };
  return { target: TOY_TARGET, version: state.version, state: 'current' };
}

/** Sends the report with the toy token in `dataDir`; returns false (never throws) if it could not. */
export async function reportUpdateState({ server, dataDir, state }: { server: string; dataDir: string; state: UpdateState }): Promise<boolean> {
  try {
    const token = await new FileStore(dataDir).get<string>('token');
    if (!token) return false;
    const res = await fetch(`${server.replace(/\/+$/, '')}/v1/toys/me/update-status`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(reportOf(state)),
      signal: AbortSignal.timeout(5000),
    });
    return res.status === 204;
  } catch {
    return false;
  }
}
