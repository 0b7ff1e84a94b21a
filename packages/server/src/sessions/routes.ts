/**
 * Routes of sessions: sign out, list the account's sessions, and end one or all the others (from
 * the Security page, recorded in the security log and mailed). Opening a session is sign-in's work
 * (accounts/, second-factors/). Every route is in docs/api.md.
 */
import { NoContent, RevokedResponse, SessionParams, SessionsResponse, errorResponses } from '@burrow/api';
import { accountOf, clearSessionCookie } from '../auth/index.js';
import type { App, RouteContext } from '../http/types.js';
import { metaOf, type Telling } from '../accounts/index.js';
import type { SessionStore } from './store.js';

export interface SessionsRouteContext extends RouteContext {
  sessions: SessionStore;
  tell: Pick<Telling, 'changed'>;
}

export function sessionsRoutes(app: App, { config, sessions, tell }: SessionsRouteContext): void {
  const secure = config.tls !== null;
  const tags = ['accounts'];

  app.delete(
    '/v1/sessions/current',
    {
      schema: { operationId: 'logOut', tags, response: { 204: NoContent, ...errorResponses } },
      config: { auth: 'account' },
    },
    async (request, reply) => {
      await sessions.end(accountOf(request).sessionHash);
      clearSessionCookie(reply, secure);
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
      await tell.changed(accountId, 'session_revoked', metaOf(request), 'A session of your Burrow account was signed out from the Security page.');
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
        await tell.changed(
          p.accountId,
          'other_sessions_revoked',
          metaOf(request),
          `${ended} other session${ended === 1 ? ' was' : 's were'} signed out of your Burrow account from the Security page.`,
          `${ended} session(s)`,
        );
      return { ended };
    },
  );
}
