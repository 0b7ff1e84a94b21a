/**
 * Registers the audit trail on the app: one event per answered request whose route is audited
 * (actions.ts), queued for the batched writer (recorder.ts). The hook runs after the answer is
 * sent, so it adds no latency to the request itself.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock/index.js';
import { AUDITED_ACTIONS } from './actions.js';
import type { AuditRecorder } from './recorder.js';
import { operationIdOf, rememberSignedIn, requestFacts } from './request-facts.js';

const SIGN_IN_OPERATIONS = new Set(['logIn', 'signUp']);

export function registerAuditTrail(app: FastifyInstance, { recorder, clock }: { recorder: AuditRecorder; clock: Clock }): void {
  // A sign-in has no principal yet: take the account id from the answer itself.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 300 && typeof payload === 'string' && SIGN_IN_OPERATIONS.has(operationIdOf(request) ?? '')) {
      const accountId = /"accountId":"([A-Za-z0-9_-]{1,64})"/.exec(payload)?.[1];
      if (accountId) rememberSignedIn(request, accountId);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const facts = requestFacts(request, reply);
    const action = facts.operationId === null ? undefined : AUDITED_ACTIONS[facts.operationId];
    if (action !== undefined)
      recorder.record({
        at: clock.now(),
        action,
        status: facts.status,
        account_id: facts.accountId,
        device_id: facts.deviceId,
        session_ref: facts.sessionRef,
        ip: facts.ip,
        family_id: facts.familyId,
        resource: facts.resource,
      });
    done();
  });
  app.addHook('onClose', async () => {
    await recorder.close();
  });
}
