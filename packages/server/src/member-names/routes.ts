import { FamilyParams, ListMemberNamesResponse, MemberNameParams, NoContent, PutMemberNameBody, errorResponses } from '@burrow/api';
import { accountDeviceOf, accountOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import type { MemberNames } from './service.js';

export function memberNamesRoutes(app: App, { memberNames }: RouteContext & { memberNames: MemberNames }): void {
  app.put(
    '/v1/families/:familyId/member-names/:deviceId',
    {
      schema: {
        operationId: 'putMemberName',
        tags: ['families'],
        params: MemberNameParams,
        body: PutMemberNameBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) => {
      await memberNames.putName(accountDeviceOf(request), request.params.familyId, request.params.deviceId, request.body.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/families/:familyId/member-names',
    {
      schema: {
        operationId: 'listMemberNames',
        tags: ['families'],
        params: FamilyParams,
        response: { 200: ListMemberNamesResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ names: await memberNames.listNames(accountOf(request).accountId, request.params.familyId) }),
  );
}
