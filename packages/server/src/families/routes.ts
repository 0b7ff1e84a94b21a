import {
  ChildParams,
  CreateChildBody,
  CreateChildResponse,
  CreateFamilyBody,
  CreateFamilyResponse,
  FamilyParams,
  FamilyResponse,
  ListRostersQuery,
  ListRostersResponse,
  PublishRosterBody,
  PublishRosterResponse,
  NoContent,
  ReplaceChildProfileBody,
  errorResponses,
} from '@burrow/api';
import { accountDeviceOf, accountOf, principalOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import type { Families } from './service.js';

export function familiesRoutes(app: App, { families }: RouteContext & { families: Families }): void {
  app.post(
    '/v1/families',
    {
      schema: {
        operationId: 'createFamily',
        tags: ['families'],
        body: CreateFamilyBody,
        response: { 201: CreateFamilyResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) =>
      reply.code(201).send(await families.createFamily(accountDeviceOf(request), request.body.roster)),
  );

  app.get(
    '/v1/families/:familyId',
    {
      schema: {
        operationId: 'getFamily',
        tags: ['families'],
        params: FamilyParams,
        response: { 200: FamilyResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => families.getFamily(accountOf(request).accountId, request.params.familyId),
  );

  app.post(
    '/v1/families/:familyId/children',
    {
      schema: {
        operationId: 'createChild',
        tags: ['families'],
        params: FamilyParams,
        body: CreateChildBody,
        response: { 201: CreateChildResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await families.createChild(accountDeviceOf(request), request.params.familyId, request.body.profile),
        ),
  );

  app.put(
    '/v1/families/:familyId/children/:childId/profile',
    {
      schema: {
        operationId: 'replaceChildProfile',
        tags: ['families'],
        params: ChildParams,
        body: ReplaceChildProfileBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) => {
      await families.replaceChildProfile(
        accountDeviceOf(request),
        request.params.familyId,
        request.params.childId,
        request.body.profile,
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/families/:familyId/rosters',
    {
      schema: {
        operationId: 'listRosters',
        tags: ['families'],
        params: FamilyParams,
        querystring: ListRostersQuery,
        response: { 200: ListRostersResponse, ...errorResponses },
      },
      config: { auth: 'accountOrToy' },
    },
    async (request) => ({
      rosters: await families.listRosters(
        principalOf(request),
        request.params.familyId,
        request.query.after ?? 0,
      ),
    }),
  );

  app.post(
    '/v1/families/:familyId/rosters',
    {
      schema: {
        operationId: 'publishRoster',
        tags: ['families'],
        params: FamilyParams,
        body: PublishRosterBody,
        response: { 201: PublishRosterResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await families.publishRoster(
            accountDeviceOf(request),
            request.params.familyId,
            request.body.roster,
          ),
        ),
  );
}
