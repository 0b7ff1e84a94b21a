import {
  ClaimToyBody,
  ClaimToyResponse,
  FamilyParams,
  LookupParams,
  ListToysResponse,
  LookupResponse,
  NoContent,
  OpenPairingBody,
  OpenPairingResponse,
  PairingResponse,
  RegisterToyBody,
  RegisterToyResponse,
  RenameToyBody,
  ListLostToysResponse,
  MarkToyLostBody,
  MarkToyLostResponse,
  ToyDeletionsQuery,
  ToyDeletionsResponse,
  ToyMeResponse,
  ToyParams,
  UnpairToyBody,
  UnpairToyResponse,
  errorResponses,
} from '@burrow/api';
import { accountDeviceOf, accountOf, toyOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import type { Toys } from './service.js';

export function toysRoutes(app: App, { config, toys }: RouteContext & { toys: Toys }): void {
  app.post(
    '/v1/toys',
    {
      schema: {
        operationId: 'registerToy',
        tags: ['toys'],
        body: RegisterToyBody,
        response: { 201: RegisterToyResponse, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.registerToy) },
    },
    async (request, reply) => reply.code(201).send(await toys.registerToy(request.body)),
  );

  app.post(
    '/v1/toys/me/pairing',
    {
      schema: {
        operationId: 'openPairing',
        tags: ['toys'],
        body: OpenPairingBody,
        response: { 201: OpenPairingResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request, reply) => reply.code(201).send(await toys.openPairing(toyOf(request), request.body)),
  );

  app.get(
    '/v1/toys/me/pairing',
    {
      schema: {
        operationId: 'getPairing',
        tags: ['toys'],
        response: { 200: PairingResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => toys.getPairing(toyOf(request)),
  );

  app.get(
    '/v1/toys/me',
    {
      schema: {
        operationId: 'getToyMe',
        tags: ['toys'],
        response: { 200: ToyMeResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => toys.getToyMe(toyOf(request)),
  );

  app.get(
    '/v1/toys/me/deletions',
    {
      schema: {
        operationId: 'listToyDeletions',
        tags: ['toys'],
        querystring: ToyDeletionsQuery,
        response: { 200: ToyDeletionsResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => ({ deletions: await toys.listDeletions(toyOf(request), request.query.after ?? 0, request.query.limit ?? 50) }),
  );

  app.get(
    '/v1/pairing/:lookup',
    {
      schema: {
        operationId: 'lookupPairing',
        tags: ['toys'],
        params: LookupParams,
        response: { 200: LookupResponse, ...errorResponses },
      },
      config: { auth: 'account', rateLimit: rateLimit(config.rateLimits.lookupPairing) },
    },
    async (request) => toys.lookupPairing(request.params.lookup),
  );

  app.post(
    '/v1/families/:familyId/toys',
    {
      schema: {
        operationId: 'claimToy',
        tags: ['toys'],
        params: FamilyParams,
        body: ClaimToyBody,
        response: { 201: ClaimToyResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await toys.claimToy(accountDeviceOf(request), request.params.familyId, request.body)),
  );

  app.get(
    '/v1/families/:familyId/toys',
    {
      schema: {
        operationId: 'listToys',
        tags: ['toys'],
        params: FamilyParams,
        response: { 200: ListToysResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ toys: await toys.listToys(accountOf(request).accountId, request.params.familyId) }),
  );

  app.put(
    '/v1/families/:familyId/toys/:toyId/name',
    {
      schema: {
        operationId: 'renameToy',
        tags: ['toys'],
        params: ToyParams,
        body: RenameToyBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) => {
      await toys.renameToy(accountDeviceOf(request), request.params.familyId, request.params.toyId, request.body.name);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/families/:familyId/toys/:toyId/unpair',
    {
      schema: {
        operationId: 'unpairToy',
        tags: ['toys'],
        params: ToyParams,
        body: UnpairToyBody,
        response: { 200: UnpairToyResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request) =>
      toys.unpairToy(accountDeviceOf(request), request.params.familyId, request.params.toyId, request.body.roster),
  );

  app.post(
    '/v1/families/:familyId/toys/:toyId/lost',
    {
      schema: {
        operationId: 'markToyLost',
        tags: ['toys'],
        params: ToyParams,
        body: MarkToyLostBody,
        response: { 200: MarkToyLostResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request) =>
      toys.markToyLost(accountDeviceOf(request), request.params.familyId, request.params.toyId, request.body.roster),
  );

  app.get(
    '/v1/families/:familyId/lost-toys',
    {
      schema: {
        operationId: 'listLostToys',
        tags: ['toys'],
        params: FamilyParams,
        response: { 200: ListLostToysResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ toys: await toys.listLostToys(accountOf(request).accountId, request.params.familyId) }),
  );
}
