import {
  FamilyParams,
  ListRostersQuery,
  ListSuccessionRequestsResponse,
  ListSuccessionsResponse,
  PublishSuccessionBody,
  PublishSuccessionResponse,
  RequestSuccessionBody,
  NoContent,
  errorResponses,
} from '@burrow/api';
import { accountDeviceOf, deviceOf, principalOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import type { Successions } from './successions.js';

/** Identity succession (docs/protocol.md §17, docs/api.md "Renewing a device's identity"). */
export function successionsRoutes(app: App, { successions }: RouteContext & { successions: Successions }): void {
  app.post(
    '/v1/families/:familyId/succession-requests',
    {
      schema: {
        operationId: 'requestSuccession',
        tags: ['devices'],
        params: FamilyParams,
        body: RequestSuccessionBody,
        response: { 204: NoContent, ...errorResponses },
      },
      // A person's device or a toy (docs/protocol.md §17.6) files its own request.
      config: { auth: 'device' },
      bodyLimit: 8192,
    },
    async (request, reply) => {
      await successions.request(deviceOf(request), request.params.familyId, request.body.request);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/families/:familyId/succession-requests',
    {
      schema: {
        operationId: 'listSuccessionRequests',
        tags: ['devices'],
        params: FamilyParams,
        response: { 200: ListSuccessionRequestsResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
    },
    async (request) => ({ requests: await successions.listRequests(accountDeviceOf(request), request.params.familyId) }),
  );

  app.post(
    '/v1/families/:familyId/successions',
    {
      schema: {
        operationId: 'publishSuccession',
        tags: ['devices'],
        params: FamilyParams,
        body: PublishSuccessionBody,
        response: { 201: PublishSuccessionResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) =>
      reply.code(201).send(await successions.publish(accountDeviceOf(request), request.params.familyId, request.body.roster, request.body.succession)),
  );

  app.get(
    '/v1/families/:familyId/successions',
    {
      schema: {
        operationId: 'listSuccessions',
        tags: ['devices'],
        params: FamilyParams,
        querystring: ListRostersQuery,
        response: { 200: ListSuccessionsResponse, ...errorResponses },
      },
      config: { auth: 'accountOrToy' },
    },
    async (request) => ({ successions: await successions.list(principalOf(request), request.params.familyId, request.query.after ?? 0) }),
  );
}
