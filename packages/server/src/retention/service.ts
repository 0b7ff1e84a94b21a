/** A family's retention period: any member reads it, a guardian sets it (1-365 days). */
import { RETENTION_DAYS, UNFETCHED_EXPIRY_DAYS, type RetentionResponse } from '@burrow/api';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { asGuardianOfExistingFamily, requireMember } from '../families/access.js';
import { retentionDaysOf, setRetentionDays } from './store.js';

export interface Retention {
  get(accountId: string, familyId: string): Promise<RetentionResponse>;
  set(accountId: string, familyId: string, days: number): Promise<RetentionResponse>;
}

export function createRetention({ db, clock }: { db: Db; clock: Clock }): Retention {
  const answer = async (familyId: string, from: Db = db): Promise<RetentionResponse> => ({
    days: (await retentionDaysOf(from, [familyId])).get(familyId) ?? RETENTION_DAYS.default,
    defaultDays: RETENTION_DAYS.default,
    minDays: RETENTION_DAYS.min,
    maxDays: RETENTION_DAYS.max,
    unfetchedExpiryDays: UNFETCHED_EXPIRY_DAYS,
  });
  return {
    async get(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      return answer(familyId);
    },
    async set(accountId, familyId, days) {
      // Checked and written in one transaction: a family being erased meanwhile answers 404, not a
      // foreign-key 500 (families/access.ts asGuardianOfExistingFamily).
      return asGuardianOfExistingFamily(db, familyId, accountId, async (trx) => {
        await setRetentionDays(trx, { familyId, days, by: accountId, at: clock.now() });
        return answer(familyId, trx);
      });
    },
  };
}
