/** A family's retention period: any member reads it, a guardian sets it (1-365 days). */
import { RETENTION_DAYS, UNFETCHED_EXPIRY_DAYS, type RetentionResponse } from '@burrow/api';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { requireGuardian, requireMember } from '../families/access.js';
import { retentionDaysOf, setRetentionDays } from './store.js';

export interface Retention {
  get(accountId: string, familyId: string): Promise<RetentionResponse>;
  set(accountId: string, familyId: string, days: number): Promise<RetentionResponse>;
}

export function createRetention({ db, clock }: { db: Db; clock: Clock }): Retention {
  const answer = async (familyId: string): Promise<RetentionResponse> => ({
    days: (await retentionDaysOf(db, [familyId])).get(familyId) ?? RETENTION_DAYS.default,
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
      await requireGuardian(db, familyId, accountId);
      await setRetentionDays(db, { familyId, days, by: accountId, at: clock.now() });
      return answer(familyId);
    },
  };
}
