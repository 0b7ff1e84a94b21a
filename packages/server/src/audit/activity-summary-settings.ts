/**
 * A guardian's own opt-in to the weekly activity summary mail (activity-summary.ts), read and set
 * for the routes (activity-summary-routes.ts). Guardians only, like the log. Setting it checks and
 * writes in one transaction with the family kept from being deleted meanwhile: an opt-in racing the
 * family's erasure answers 404 (the family is gone) or lands before it and goes with it (cascade),
 * never a foreign-key 500.
 */
import { ACTIVITY_SUMMARY_DAYS, type ActivitySummaryState } from '@burrow/api';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { asGuardianOfExistingFamily, requireGuardian } from '../families/access.js';
import { setSummarySubscription, summarySubscription } from './activity-summary-store.js';

export interface SummarySettings {
  get(accountId: string, familyId: string): Promise<ActivitySummaryState>;
  set(accountId: string, familyId: string, enabled: boolean): Promise<ActivitySummaryState>;
}

export function createSummarySettings({ db, clock }: { db: Db; clock: Clock }): SummarySettings {
  const state = async (from: Db, familyId: string, accountId: string): Promise<ActivitySummaryState> => {
    const s = await summarySubscription(from, familyId, accountId);
    return { enabled: s !== undefined, everyDays: ACTIVITY_SUMMARY_DAYS, lastSentAt: s?.lastSentAt ?? null };
  };
  return {
    async get(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      return state(db, familyId, accountId);
    },
    async set(accountId, familyId, enabled) {
      return asGuardianOfExistingFamily(db, familyId, accountId, async (trx) => {
        await setSummarySubscription(trx, familyId, accountId, enabled, clock.now());
        return state(trx, familyId, accountId);
      });
    },
  };
}
