import { IncidentParams, NoContent, NoticesResponse, errorResponses } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { App } from '../http/types.js';
import type { IncidentInbox } from './inbox.js';

/** The signed-in account's incident notices (docs/api.md "Notices"). */
export function incidentNoticeRoutes(app: App, { inbox }: { inbox: IncidentInbox }): void {
  const tags = ['notices'];
  app.get(
    '/v1/me/notices',
    {
      schema: { operationId: 'listNotices', tags, response: { 200: NoticesResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => inbox.list(accountOf(request).accountId),
  );
  app.post(
    '/v1/me/notices/:incidentId/read',
    {
      schema: { operationId: 'markNoticeRead', tags, params: IncidentParams, response: { 204: NoContent, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await inbox.markRead(accountOf(request).accountId, request.params.incidentId);
      return reply.code(204).send(null);
    },
  );
}
