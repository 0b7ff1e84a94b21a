/**
 * What incidents ask the audit trail: which families a principal (session, device, address or
 * account) reached, and who acted as a family's guardian, within a time window.
 */
import type { Db } from '../db/index.js';
import { GUARDIAN_ACTIONS } from './actions.js';

export type AuditPrincipal = { kind: 'session' | 'device' | 'ip' | 'account'; value: string };

const column = { session: 'session_ref', device: 'device_id', ip: 'ip', account: 'account_id' } as const;

export interface Window {
  from: number;
  to: number;
}

/** The query of familiesReachedBy, for tests that check its plan uses the (principal, at) index. */
export function familiesReachedByQuery(db: Db, who: AuditPrincipal, window: Window) {
  return db
    .selectFrom('audit_events')
    .select('family_id')
    .distinct()
    .where(column[who.kind], '=', who.value)
    .where('family_id', 'is not', null)
    .where('status', '<', 400)
    .where('at', '>=', window.from)
    .where('at', '<=', window.to);
}

/** Families whose data the principal read or changed successfully (2xx/3xx) in the window. */
export async function familiesReachedBy(db: Db, who: AuditPrincipal, window: Window): Promise<string[]> {
  const rows = await familiesReachedByQuery(db, who, window).execute();
  return rows.map((r) => r.family_id).filter((f): f is string => f !== null);
}

/** Accounts that succeeded at a guardian-only action on the family in the window (guardians then). */
export async function guardiansActingIn(db: Db, familyId: string, window: Window): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select('account_id')
    .distinct()
    .where('family_id', '=', familyId)
    .where('action', 'in', GUARDIAN_ACTIONS)
    .where('status', '<', 300)
    .where('account_id', 'is not', null)
    .where('at', '>=', window.from)
    .where('at', '<=', window.to)
    .execute();
  return rows.map((r) => r.account_id).filter((a): a is string => a !== null);
}
