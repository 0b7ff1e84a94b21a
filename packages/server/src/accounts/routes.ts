import type { FastifyReply } from 'fastify';
import { accountOf, SESSION_COOKIE } from '../auth/index.js';
import { errorResponses } from '../errors/index.js';
import { rateLimit } from '../http/rate-limit.js';
import { NoContent } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { LogInBody, MeResponse, SessionResponse, SignUpBody } from './schemas.js';
import type { Accounts, Session } from './service.js';

export function accountsRoutes(app: App, { config, accounts }: RouteContext & { accounts: Accounts }): void {
  const secure = config.tls !== null;

  function setSessionCookie(reply: FastifyReply, session: Session): void {
    void reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure,
      expires: new Date(session.expiresAt),
    });
  }

  app.post(
    '/v1/accounts',
    {
      schema: {
        operationId: 'signUp',
        tags: ['accounts'],
        body: SignUpBody,
        response: { 201: SessionResponse, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.signUp) },
    },
    async (request, reply) => {
      const session = await accounts.signUp(request.body);
      setSessionCookie(reply, session);
      return reply.code(201).send({ accountId: session.accountId, token: session.token });
    },
  );

  app.post(
    '/v1/sessions',
    {
      schema: {
        operationId: 'logIn',
        tags: ['accounts'],
        body: LogInBody,
        response: { 200: SessionResponse, ...errorResponses },
      },
      config: { rateLimit: rateLimit(config.rateLimits.logIn) },
    },
    async (request, reply) => {
      const session = await accounts.logIn(request.body);
      setSessionCookie(reply, session);
      return { accountId: session.accountId, token: session.token };
    },
  );

  app.delete(
    '/v1/sessions/current',
    {
      schema: { operationId: 'logOut', tags: ['accounts'], response: { 204: NoContent, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await accounts.logOut(accountOf(request).sessionHash);
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me',
    {
      schema: { operationId: 'getMe', tags: ['accounts'], response: { 200: MeResponse, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request) => accounts.getMe(accountOf(request).accountId),
  );
}
