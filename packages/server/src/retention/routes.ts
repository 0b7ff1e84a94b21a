import { FamilyParams, RetentionResponse, SetRetentionBody, errorResponses } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { App, RouteContext } from '../http/types.js';
import type { Retention } from './service.js';

export function retentionRoutes(app: App, { retention }: RouteContext & { retention: Retention }): void {
  app.get(
    '/v1/families/:familyId/retention',
    {
      schema: {
        operationId: 'getRetention',
        tags: ['families'],
        params: FamilyParams,
        response: { 200: RetentionResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => retention.get(accountOf(request).accountId, request.params.familyId),
  );

  app.put(
    '/v1/families/:familyId/retention',
    {
      schema: {
        operationId: 'setRetention',
        tags: ['families'],
        params: FamilyParams,
        body: SetRetentionBody,
        response: { 200: RetentionResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => retention.set(accountOf(request).accountId, request.params.familyId, request.body.days),
  );
}
