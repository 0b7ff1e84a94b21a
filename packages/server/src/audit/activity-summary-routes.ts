/**
 * GET/PUT /v1/families/:familyId/activity/summary-mail — a guardian's own opt-in to the weekly
 * activity summary mail (activity-summary-settings.ts; docs/api.md "Activity log"). Guardians only, like the log.
 */
import { ActivitySummarySetting, ActivitySummaryState, FamilyParams, errorResponses } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { App, RouteContext } from '../http/types.js';
import type { SummarySettings } from './activity-summary-settings.js';

export function activitySummaryRoutes(app: App, { summarySettings }: RouteContext & { summarySettings: SummarySettings }): void {
  app.get(
    '/v1/families/:familyId/activity/summary-mail',
    {
      schema: { operationId: 'getActivitySummary', tags: ['families'], params: FamilyParams, response: { 200: ActivitySummaryState, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => summarySettings.get(accountOf(request).accountId, request.params.familyId),
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
    async (request) => summarySettings.set(accountOf(request).accountId, request.params.familyId, request.body.enabled),
  );
}
