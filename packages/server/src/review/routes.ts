import {
  ApproveBody,
  ApproveResponse,
  BinaryBody,
  FamilyParams,
  ListReviewsResponse,
  NoContent,
  ReviewedQuery,
  ReviewedResponse,
  ReviewParams,
  errorResponses,
} from '@burrow/api';
import { accountDeviceOf, accountOf, toyOf } from '../auth/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import type { App, RouteContext } from '../http/types.js';
import type { Reviews } from './service.js';

export function reviewRoutes(app: App, { reviews }: RouteContext & { reviews: Reviews }): void {
  app.get(
    '/v1/families/:familyId/reviews',
    {
      schema: {
        operationId: 'listReviews',
        tags: ['review'],
        params: FamilyParams,
        response: { 200: ListReviewsResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ reviews: await reviews.list(accountOf(request).accountId, request.params.familyId) }),
  );

  app.get(
    '/v1/families/:familyId/reviews/:messageId/blob',
    {
      schema: {
        operationId: 'downloadReviewBlob',
        tags: ['review'],
        produces: ['application/octet-stream'],
        params: ReviewParams,
        response: { 200: BinaryBody, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      const bytes = await reviews.downloadBlob(accountOf(request).accountId, request.params.familyId, request.params.messageId, { ip: request.ip });
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'no-store')
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.post(
    '/v1/families/:familyId/reviews/:messageId/approve',
    {
      schema: {
        operationId: 'approveMessage',
        tags: ['review'],
        params: ReviewParams,
        body: ApproveBody,
        response: { 200: ApproveResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request) => reviews.approve(accountDeviceOf(request), request.params.familyId, request.params.messageId, request.body.reviews),
  );

  app.post(
    '/v1/families/:familyId/reviews/:messageId/decline',
    {
      schema: {
        operationId: 'declineMessage',
        tags: ['review'],
        params: ReviewParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await reviews.decline(accountOf(request).accountId, request.params.familyId, request.params.messageId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/toys/me/reviewed',
    {
      schema: {
        operationId: 'listReviewedMessages',
        tags: ['review'],
        querystring: ReviewedQuery,
        response: { 200: ReviewedResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request) => ({ messages: await reviews.released(toyOf(request).toyId, request.query.after ?? 0, request.query.limit ?? 50) }),
  );
}
