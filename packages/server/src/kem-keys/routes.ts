import {
  FamilyParams,
  ListKemKeysResponse,
  PublishKemKeyBody,
  PublishKemKeyResponse,
  errorResponses,
} from '@burrow/api';
import { deviceOf, principalOf } from '../auth/index.js';
import type { App, RouteContext } from '../http/types.js';
import type { KemKeys } from './service.js';

export function kemKeysRoutes(app: App, { kemKeys }: RouteContext & { kemKeys: KemKeys }): void {
  app.post(
    '/v1/devices/me/kem-keys',
    {
      schema: {
        operationId: 'publishKemKey',
        tags: ['devices'],
        body: PublishKemKeyBody,
        response: { 201: PublishKemKeyResponse, ...errorResponses },
      },
      config: { auth: 'device' },
      bodyLimit: 4096,
    },
    async (request, reply) =>
      reply.code(201).send(await kemKeys.publish(deviceOf(request), request.body.record)),
  );

  app.get(
    '/v1/families/:familyId/kem-keys',
    {
      schema: {
        operationId: 'listKemKeys',
        tags: ['families'],
        params: FamilyParams,
        response: { 200: ListKemKeysResponse, ...errorResponses },
      },
      config: { auth: 'accountOrToy' },
    },
    async (request) => ({ records: await kemKeys.list(principalOf(request), request.params.familyId) }),
  );
}
