/**
 * Routes of recovery: ask for a reset link, reset the password with it, or with a recovery code.
 * Every route is in docs/api.md.
 */
import { Accepted, NoContent, RecoveryResetBody, RequestResetBody, ResetPasswordBody, errorResponses } from '@burrow/api';
import { clearSessionCookie } from '../auth/index.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import { metaOf, withRetryAfter } from '../accounts/index.js';
import type { Recovery } from './service.js';

export interface RecoveryRouteContext extends RouteContext {
  recovery: Recovery;
}

export function recoveryRoutes(app: App, { config, recovery }: RecoveryRouteContext): void {
  const secure = config.tls !== null;
  const tags = ['accounts'];

  app.post(
    '/v1/password-resets',
    {
      schema: {
        operationId: 'requestPasswordReset',
        tags,
        body: RequestResetBody,
        response: { 202: Accepted, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.signUp) },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => recovery.requestReset(request.body.email, metaOf(request)));
      return reply.code(202).send({ accepted: true as const });
    },
  );

  app.post(
    '/v1/password-resets/complete',
    {
      schema: {
        operationId: 'resetPassword',
        tags,
        body: ResetPasswordBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => recovery.resetPassword(request.body, metaOf(request)));
      clearSessionCookie(reply, secure);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/password-resets/recovery-code',
    {
      schema: {
        operationId: 'resetPasswordWithRecoveryCode',
        tags,
        body: RecoveryResetBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => recovery.resetWithRecoveryCode(request.body, metaOf(request)));
      return reply.code(204).send(null);
    },
  );
}
