import {
  BlockBody,
  BlockParams,
  BlockResponse,
  CheckInvitationBody,
  CheckInvitationResponse,
  CreateInvitationBody,
  CreateInvitationResponse,
  FamilyParams,
  InvitationParams,
  JoinRequestResponse,
  ListBlocksResponse,
  ListJoinRequestsResponse,
  ListPendingDevicesResponse,
  NoContent,
  RedeemInvitationBody,
  RedeemInvitationResponse,
  RequestParams,
  errorResponses,
} from '@burrow/api';
import { accountOf } from '../auth/index.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import type { Invitations } from './service.js';

const tags = ['invitations'];

export function invitationsRoutes(
  app: App,
  { config, invitations }: RouteContext & { invitations: Invitations },
): void {
  app.post(
    '/v1/families/:familyId/invitations',
    {
      schema: {
        operationId: 'createInvitation',
        tags,
        params: FamilyParams,
        body: CreateInvitationBody,
        response: { 201: CreateInvitationResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await invitations.createInvitation(
            accountOf(request).accountId,
            request.params.familyId,
            request.body.ttlMs,
          ),
        ),
  );

  app.delete(
    '/v1/families/:familyId/invitations/:invitationId',
    {
      schema: {
        operationId: 'revokeInvitation',
        tags,
        params: InvitationParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await invitations.revokeInvitation(
        accountOf(request).accountId,
        request.params.familyId,
        request.params.invitationId,
      );
      return reply.code(204).send(null);
    },
  );

  // Public: the join page checks its link's code before the person makes an account. The code is the
  // capability (100 bits), and the answer says only valid, unknown or gone — not whose family.
  app.post(
    '/v1/invitations/check',
    {
      schema: {
        operationId: 'checkInvitation',
        tags,
        body: CheckInvitationBody,
        response: { 200: CheckInvitationResponse, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.redeemInvitation) },
    },
    async (request) => invitations.checkInvitation(request.body.code),
  );

  app.post(
    '/v1/invitations/redeem',
    {
      schema: {
        operationId: 'redeemInvitation',
        tags,
        body: RedeemInvitationBody,
        response: { 201: RedeemInvitationResponse, ...errorResponses },
      },
      config: { auth: 'account', rateLimit: rateLimit(config.rateLimits.redeemInvitation) },
    },
    async (request, reply) =>
      reply.code(201).send(await invitations.redeemInvitation(accountOf(request).accountId, request.body.code)),
  );

  app.get(
    '/v1/families/:familyId/join-requests',
    {
      schema: {
        operationId: 'listJoinRequests',
        tags,
        params: FamilyParams,
        response: { 200: ListJoinRequestsResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({
      requests: await invitations.listJoinRequests(accountOf(request).accountId, request.params.familyId),
    }),
  );

  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['decline', 'declined'],
  ] as const) {
    app.post(
      `/v1/families/:familyId/join-requests/:requestId/${verb}`,
      {
        schema: {
          operationId: `${verb}JoinRequest`,
          tags,
          params: RequestParams,
          response: { 200: JoinRequestResponse, ...errorResponses },
        },
        config: { auth: 'account' },
      },
      async (request) =>
        invitations.decideJoinRequest(
          accountOf(request).accountId,
          request.params.familyId,
          request.params.requestId,
          decision,
        ),
    );
  }

  app.get(
    '/v1/families/:familyId/pending-devices',
    {
      schema: {
        operationId: 'listPendingDevices',
        tags,
        params: FamilyParams,
        response: { 200: ListPendingDevicesResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({
      devices: await invitations.listPendingDevices(accountOf(request).accountId, request.params.familyId),
    }),
  );

  app.get(
    '/v1/families/:familyId/blocks',
    {
      schema: {
        operationId: 'listBlocks',
        tags,
        params: FamilyParams,
        response: { 200: ListBlocksResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({
      blocks: await invitations.listBlocks(accountOf(request).accountId, request.params.familyId),
    }),
  );

  app.post(
    '/v1/families/:familyId/blocks',
    {
      schema: {
        operationId: 'blockAccount',
        tags,
        params: FamilyParams,
        body: BlockBody,
        response: { 200: BlockResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) =>
      invitations.blockAccount(accountOf(request).accountId, request.params.familyId, request.body.accountId),
  );

  app.delete(
    '/v1/families/:familyId/blocks/:accountId',
    {
      schema: {
        operationId: 'unblockAccount',
        tags,
        params: BlockParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await invitations.unblockAccount(
        accountOf(request).accountId,
        request.params.familyId,
        request.params.accountId,
      );
      return reply.code(204).send(null);
    },
  );
}
