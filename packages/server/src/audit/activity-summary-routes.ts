/**
 * GET/PUT /v1/families/:familyId/activity/summary-mail — a guardian's own opt-in to the weekly
 * activity summary mail (activity-summary.ts; docs/api.md "Activity log"). Guardians only, like the log.
 */
import { ACTIVITY_SUMMARY_DAYS, ActivitySummarySetting, ActivitySummaryState, FamilyParams, errorResponses } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { requireGuardian } from '../families/access.js';
import type { App, RouteContext } from '../http/types.js';
import { setSummarySubscription, summarySubscription } from './activity-summary-store.js';

export function activitySummaryRoutes(app: App, { db, clock }: RouteContext & { db: Db; clock: Clock }): void {
  const state = async (familyId: string, accountId: string): Promise<ActivitySummaryState> => {
    const s = await summarySubscription(db, familyId, accountId);
    return { enabled: s !== undefined, everyDays: ACTIVITY_SUMMARY_DAYS, lastSentAt: s?.lastSentAt ?? null };
  };
  app.get(
    '/v1/families/:familyId/activity/summary-mail',
    {
      schema: { operationId: 'getActivitySummary', tags: ['families'], params: FamilyParams, response: { 200: ActivitySummaryState, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => {
      const { accountId } = accountOf(request);
      await requireGuardian(db, request.params.familyId, accountId);
      return state(request.params.familyId, accountId);
    },
  );
  app.put(
    '/v1/families/:familyId/activity/summary-mail',
    {
      schema: {
        operationId: 'setActivitySummary',
        tags: ['families'],
        params: FamilyParams,
        body: ActivitySummarySetting,
        response: { 200: ActivitySummaryState, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => {
      const { accountId } = accountOf(request);
      await requireGuardian(db, request.params.familyId, accountId);
      await setSummarySubscription(db, request.params.familyId, accountId, request.body.enabled, clock.now());
      return state(request.params.familyId, accountId);
    },
  );
}
