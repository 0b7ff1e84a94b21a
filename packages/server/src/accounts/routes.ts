/**
 * Routes of accounts: sign up, sign in with a password, "who am I", change the password, verify the
 * email address, and read the account's security log. Sessions, second factors and recovery
 * register their own routes (sessions/, second-factors/, recovery/). Every route is in docs/api.md.
 */
import {
  Accepted,
  ChangePasswordBody,
  LogInBody,
  MeResponse,
  NoContent,
  SecondFactorRequired,
  SecurityEventsResponse,
  SignedInResponse,
  SignUpBody,
  SignUpResponse,
  VerifyEmailBody,
  errorResponses,
} from '@burrow/api';
import { accountOf, setSessionCookie } from '../auth/index.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import { metaOf } from './request-meta.js';
import type { SecurityEvents } from './security-events.js';
import type { Accounts } from './service.js';
import { withRetryAfter } from './throttle.js';
import type { EmailVerification } from './verification.js';

export interface AccountsRouteContext extends RouteContext {
  accounts: Accounts;
  verification: EmailVerification;
  events: SecurityEvents;
}

export function accountsRoutes(app: App, { config, accounts, verification, events }: AccountsRouteContext): void {
  const secure = config.tls !== null;
  const tags = ['accounts'];

  app.post(
    '/v1/accounts',
    {
      schema: { operationId: 'signUp', tags, body: SignUpBody, response: { 201: SignUpResponse, ...errorResponses } },
      config: { rateLimit: rateLimit(config.rateLimits.signUp) },
    },
    async (request, reply) => {
      const { session, recoveryCodes } = await withRetryAfter(reply, () => accounts.signUp(request.body, metaOf(request)));
      setSessionCookie(reply, session, secure);
      return reply.code(201).send({ accountId: session.accountId, token: session.token, recoveryCodes });
    },
  );

  app.post(
    '/v1/sessions',
    {
      schema: {
        operationId: 'logIn',
        tags,
        body: LogInBody,
        response: { 200: SignedInResponse, 202: SecondFactorRequired, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      const result = await withRetryAfter(reply, () => accounts.logIn(request.body, metaOf(request)));
      if (result.kind === 'second_factor') {
        const { pendingToken, expiresAt, methods } = result;
        return reply.code(202).send({ secondFactorRequired: true as const, pendingToken, expiresAt, methods });
      }
      setSessionCookie(reply, result.session, secure);
      return { accountId: result.session.accountId, token: result.session.token, mustAddSecondFactor: result.mustAddSecondFactor };
    },
  );

  app.get(
    '/v1/me',
    {
      schema: { operationId: 'getMe', tags, response: { 200: MeResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => accounts.getMe(accountOf(request).accountId),
  );

  app.put(
    '/v1/me/password',
    {
      schema: {
        operationId: 'changePassword',
        tags,
        body: ChangePasswordBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account', rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      const p = accountOf(request);
      await withRetryAfter(reply, () => accounts.changePassword(p.accountId, p.sessionHash, request.body, metaOf(request)));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/email-verification',
    {
      schema: { operationId: 'resendVerification', tags, response: { 202: Accepted, ...errorResponses } },
      config: { auth: 'account', rateLimit: rateLimit(config.rateLimits.signUp) },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => verification.resend(accountOf(request).accountId, metaOf(request)));
      return reply.code(202).send({ accepted: true as const });
    },
  );

  app.post(
    '/v1/email-verifications',
    {
      schema: { operationId: 'verifyEmail', tags, body: VerifyEmailBody, response: { 204: NoContent, ...errorResponses } },
      config: { rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => verification.verify(request.body.token, metaOf(request)));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/security-events',
    {
      schema: {
        operationId: 'listSecurityEvents',
        tags,
        response: { 200: SecurityEventsResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ events: await events.list(accountOf(request).accountId) }),
  );
}
