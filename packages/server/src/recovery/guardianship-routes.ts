/**
 * The route of guardian recovery (guardianship.ts): a sole guardian's new device, with a recovery
 * code and the toy's pairing code. In docs/api.md under "Toys".
 */
import { FamilyParams, NoContent, RecoverGuardianBody, RecoverGuardianResponse, RecoveryEndorsement, RecoveryEndorsementsResponse, errorResponses } from '@burrow/api';
import { accountDeviceOf, accountOf, toyOf } from '../auth/index.js';
import { metaOf, withRetryAfter } from '../accounts/index.js';
import { PROTOCOL_BODY_LIMIT } from '../http/limits.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import type { RecoveryEndorsements } from './endorsements.js';
import type { GuardianRecovery } from './guardianship.js';

export interface GuardianRecoveryRouteContext extends RouteContext {
  guardianRecovery: GuardianRecovery;
  endorsements: RecoveryEndorsements;
}

// eslint-disable-next-line @typescript-eslint/require-await -- Fastify takes a plugin without a callback as async.
export async function guardianRecoveryRoutes(app: App, { config, guardianRecovery, endorsements }: GuardianRecoveryRouteContext): Promise<void> {
  app.post(
    '/v1/families/:familyId/guardian-recovery',
    {
      schema: {
        operationId: 'recoverGuardian',
        tags: ['toys'],
        params: FamilyParams,
        body: RecoverGuardianBody,
        response: { 200: RecoverGuardianResponse, ...errorResponses },
      },
      config: { auth: 'accountDevice', rateLimit: rateLimit(config.rateLimits.logIn) },
      bodyLimit: PROTOCOL_BODY_LIMIT,
    },
    async (request, reply) => {
      const done = await withRetryAfter(reply, () =>
        guardianRecovery.recoverGuardian(accountDeviceOf(request), request.params.familyId, request.body, metaOf(request)),
      );
      return reply.code(200).send(done);
    },
  );

  app.put(
    '/v1/toys/me/recovery-endorsement',
    {
      schema: {
        operationId: 'endorseRecoveryRoster',
        tags: ['toys'],
        body: RecoveryEndorsement,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request, reply) => {
      await endorsements.endorse(toyOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/families/:familyId/recovery-endorsements',
    {
      schema: {
        operationId: 'listRecoveryEndorsements',
        tags: ['toys'],
        params: FamilyParams,
        response: { 200: RecoveryEndorsementsResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request) => ({ endorsements: await endorsements.list(accountOf(request).accountId, request.params.familyId) }),
  );
}
