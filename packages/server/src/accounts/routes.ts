import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountOf, SESSION_COOKIE } from '../auth/index.js';
import { errorResponses } from '../errors/index.js';
import { rateLimit } from '../http/rate-limit.js';
import { NoContent } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { factorRoutes } from './factor-routes.js';
import type { Recovery } from './recovery.js';
import type { SecondFactors } from './second-factor.js';
import type { SecurityEvents } from './security-events.js';
import {
  Accepted,
  ChangePasswordBody,
  LogInBody,
  MeResponse,
  RequestResetBody,
  ResetPasswordBody,
  RevokedResponse,
  SecondFactorRequired,
  SessionParams,
  SessionsResponse,
  SignedInResponse,
  SignUpBody,
  SignUpResponse,
  VerifyEmailBody,
} from './schemas.js';
import type { Accounts, RequestMeta, Session } from './service.js';
import type { SessionStore } from './sessions.js';
import { withRetryAfter } from './throttle.js';

export interface AccountsRouteContext extends RouteContext {
  accounts: Accounts;
  recovery: Recovery;
  sessions: SessionStore;
  factors: SecondFactors;
  events: SecurityEvents;
}

export function metaOf(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' && ua !== '' ? ua : null };
}

export function accountsRoutes(app: App, context: AccountsRouteContext): void {
  const { config, accounts, recovery, sessions } = context;
  const secure = config.tls !== null;
  const tags = ['accounts'];

  function setSessionCookie(reply: FastifyReply, session: Pick<Session, 'token' | 'expiresAt'>): void {
    void reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure,
      expires: new Date(session.expiresAt),
    });
  }
  const clearSessionCookie = (reply: FastifyReply) =>
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });

  app.post(
    '/v1/accounts',
    {
      schema: { operationId: 'signUp', tags, body: SignUpBody, response: { 201: SignUpResponse, ...errorResponses } },
      config: { rateLimit: rateLimit(config.rateLimits.signUp) },
    },
    async (request, reply) => {
      const { session, recoveryCodes } = await withRetryAfter(reply, () => accounts.signUp(request.body, metaOf(request)));
      setSessionCookie(reply, session);
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
      setSessionCookie(reply, result.session);
      return { accountId: result.session.accountId, token: result.session.token, mustAddSecondFactor: result.mustAddSecondFactor };
    },
  );

  app.delete(
    '/v1/sessions/current',
    {
      schema: { operationId: 'logOut', tags, response: { 204: NoContent, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await accounts.logOut(accountOf(request).sessionHash);
      clearSessionCookie(reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/sessions',
    {
      schema: { operationId: 'listSessions', tags, response: { 200: SessionsResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => {
      const p = accountOf(request);
      return { sessions: await sessions.list(p.accountId, p.sessionHash) };
    },
  );

  app.delete(
    '/v1/sessions/:sessionId',
    {
      schema: {
        operationId: 'revokeSession',
        tags,
        params: SessionParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      const accountId = accountOf(request).accountId;
      await sessions.revoke(accountId, request.params.sessionId);
      await context.factors.changed(accountId, 'session_revoked', metaOf(request), 'A session of your Burrow account was signed out from the Security page.');
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/sessions',
    {
      schema: { operationId: 'revokeOtherSessions', tags, response: { 200: RevokedResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => {
      const p = accountOf(request);
      const ended = await sessions.revokeAll(p.accountId, p.sessionHash);
      if (ended > 0)
        await context.factors.changed(
          p.accountId,
          'other_sessions_revoked',
          metaOf(request),
          `${ended} other session${ended === 1 ? ' was' : 's were'} signed out of your Burrow account from the Security page.`,
          `${ended} session(s)`,
        );
      return { ended };
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
      await withRetryAfter(reply, () => recovery.resendVerification(accountOf(request).accountId, metaOf(request)));
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
      await withRetryAfter(reply, () => recovery.verifyEmail(request.body.token, metaOf(request)));
      return reply.code(204).send(null);
    },
  );

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
      clearSessionCookie(reply);
      return reply.code(204).send(null);
    },
  );

  factorRoutes(app, { ...context, setSessionCookie });
}
