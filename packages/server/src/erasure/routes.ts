/**
 * Routes of erasure: delete one's own account, a child's profile, a whole family. Every route is in
 * docs/api.md ("Deleting"). The account and family deletions re-authenticate (password, and a code
 * with a second factor) behind the guessing throttle and the sign-in rate limit.
 */
import {
  AccountExport,
  ChildParams,
  ConfirmOwnerBody,
  FamilyParams,
  NoContent,
  errorResponses,
} from '@burrow/api';
import { metaOf, withRetryAfter } from '../accounts/index.js';
import { accountDeviceOf, accountOf, clearSessionCookie } from '../auth/index.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import type { AccountErasure } from './account.js';
import type { AccountExporter } from './export.js';
import type { FamilyErasure } from './family.js';

export interface ErasureRouteContext extends RouteContext {
  accountErasure: AccountErasure;
  familyErasure: FamilyErasure;
  accountExport: AccountExporter;
}

// eslint-disable-next-line @typescript-eslint/require-await -- Fastify takes a plugin without a callback as async.
export async function erasureRoutes(
  app: App,
  { config, accountErasure, familyErasure, accountExport }: ErasureRouteContext,
): Promise<void> {
  const tags = ['erasure'];
  const confirmLimit = rateLimit(config.rateLimits.logIn);

  app.post(
    '/v1/me/deletion',
    {
      schema: {
        operationId: 'deleteAccount',
        tags,
        body: ConfirmOwnerBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account', rateLimit: confirmLimit },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () =>
        accountErasure.deleteAccount(accountOf(request).accountId, request.body, metaOf(request)),
      );
      clearSessionCookie(reply, config.tls !== null);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/export',
    {
      schema: { operationId: 'exportAccount', tags, response: { 200: AccountExport, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      const data = await accountExport.exportAccount(accountOf(request).accountId);
      // Personal data: never kept by a cache on the way.
      return reply.header('cache-control', 'no-store').send(data);
    },
  );

  app.post(
    '/v1/families/:familyId/deletion',
    {
      schema: {
        operationId: 'deleteFamily',
        tags,
        params: FamilyParams,
        body: ConfirmOwnerBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'accountDevice', rateLimit: confirmLimit },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () =>
        familyErasure.deleteFamily(
          accountDeviceOf(request),
          request.params.familyId,
          request.body,
          metaOf(request),
        ),
      );
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/families/:familyId/children/:childId',
    {
      schema: {
        operationId: 'deleteChild',
        tags,
        params: ChildParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'accountDevice' },
    },
    async (request, reply) => {
      await familyErasure.deleteChild(
        accountDeviceOf(request),
        request.params.familyId,
        request.params.childId,
      );
      return reply.code(204).send(null);
    },
  );
}
