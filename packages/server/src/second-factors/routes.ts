/**
 * Routes of the second factors: the second step of a password sign-in, passkey sign-in without a
 * password, passkeys (register, list, rename, remove), TOTP (enrol, confirm, turn off), renewing
 * the recovery codes, the Security page's status, and a family's second-factor requirement. Every
 * route is in docs/api.md.
 */
import {
  DisableTotpBody,
  FamilyParams,
  FamilyRequirementBody,
  FamilyRequirementResponse,
  NoContent,
  PasskeyParams,
  PasskeySecondFactorBody,
  PasskeySignInBody,
  PasskeysResponse,
  PasskeyView,
  PasswordBody,
  PendingBody,
  RecoveryCodesResponse,
  RegisterPasskeyBody,
  RenamePasskeyBody,
  SecondFactorBody,
  SecurityStatus,
  SignedInResponse,
  TotpCodeBody,
  TotpEnrolmentResponse,
  WebAuthnOptionsResponse,
  errorResponses,
} from '@burrow/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { accountOf, setSessionCookie } from '../auth/index.js';
import type { CoreConfig } from '../config.js';
import { rateLimit } from '../http/rate-limit.js';
import type { App, RouteContext } from '../http/types.js';
import { metaOf, withRetryAfter, type RequestMeta, type SignedIn } from '../accounts/index.js';
import type { RelyingParty } from './passkeys.js';
import type { SecondFactors } from './service.js';

/**
 * The WebAuthn relying party: BURROW_PUBLIC_URL when set; otherwise the origin this request was
 * made to (development and tests), the same rule as the Origin check.
 */
export function relyingPartyOf(request: FastifyRequest, config: CoreConfig): RelyingParty {
  const origin =
    config.accountSecurity.publicUrl ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  return { id: new URL(origin).hostname, origin };
}

export interface SecondFactorsRouteContext extends RouteContext {
  factors: SecondFactors;
  /** Opens the session once every factor is in (accounts/service.ts). */
  finishSignIn: (accountId: string, meta: RequestMeta, how: 'password' | 'passkey') => Promise<SignedIn>;
}

export function secondFactorsRoutes(app: App, { config, factors, finishSignIn: finish }: SecondFactorsRouteContext): void {
  const secure = config.tls !== null;
  const tags = ['accounts'];
  const signInLimit = { rateLimit: rateLimit(config.rateLimits.logIn) };
  const signedIn = (reply: FastifyReply, result: SignedIn) => {
    setSessionCookie(reply, result.session, secure);
    return {
      accountId: result.session.accountId,
      token: result.session.token,
      mustAddSecondFactor: result.mustAddSecondFactor,
    };
  };
  // --- signing in ---

  app.post(
    '/v1/sessions/second-factor',
    {
      schema: {
        operationId: 'completeSignIn',
        tags,
        body: SecondFactorBody,
        response: { 200: SignedInResponse, ...errorResponses },
      },
      config: signInLimit,
    },
    async (request, reply) => {
      const result = await withRetryAfter(reply, () =>
        factors.completeWithCode(request.body, metaOf(request), finish),
      );
      return signedIn(reply, result);
    },
  );

  app.post(
    '/v1/sessions/second-factor/passkey-options',
    {
      schema: {
        operationId: 'secondFactorPasskeyOptions',
        tags,
        body: PendingBody,
        response: { 200: WebAuthnOptionsResponse, ...errorResponses },
      },
      config: signInLimit,
    },
    async (request) =>
      factors.passkeyOptionsForPending(request.body.pendingToken, relyingPartyOf(request, config)),
  );

  app.post(
    '/v1/sessions/second-factor/passkey',
    {
      schema: {
        operationId: 'completeSignInWithPasskey',
        tags,
        body: PasskeySecondFactorBody,
        response: { 200: SignedInResponse, ...errorResponses },
      },
      config: signInLimit,
    },
    async (request, reply) => {
      const body = {
        ...request.body,
        response: request.body.response as unknown as AuthenticationResponseJSON,
      };
      const result = await withRetryAfter(reply, () =>
        factors.completeWithPasskey(body, relyingPartyOf(request, config), metaOf(request), finish),
      );
      return signedIn(reply, result);
    },
  );

  app.post(
    '/v1/passkey-sign-ins/options',
    {
      schema: {
        operationId: 'passkeySignInOptions',
        tags,
        response: { 200: WebAuthnOptionsResponse, ...errorResponses },
      },
      config: signInLimit,
    },
    async (request) => factors.passkeySignInOptions(relyingPartyOf(request, config)),
  );

  app.post(
    '/v1/passkey-sign-ins',
    {
      schema: {
        operationId: 'signInWithPasskey',
        tags,
        body: PasskeySignInBody,
        response: { 200: SignedInResponse, ...errorResponses },
      },
      config: signInLimit,
    },
    async (request, reply) => {
      const body = {
        challengeId: request.body.challengeId,
        response: request.body.response as unknown as AuthenticationResponseJSON,
      };
      const result = await withRetryAfter(reply, () =>
        factors.signInWithPasskey(body, relyingPartyOf(request, config), metaOf(request), finish),
      );
      return signedIn(reply, result);
    },
  );

  // --- the account's factors (signed in) ---

  const auth = { auth: 'account' as const };

  app.get(
    '/v1/me/security',
    {
      schema: {
        operationId: 'getSecurityStatus',
        tags,
        response: { 200: SecurityStatus, ...errorResponses },
      },
      config: auth,
    },
    async (request) => factors.status(accountOf(request).accountId),
  );

  app.post(
    '/v1/me/passkeys/options',
    {
      schema: {
        operationId: 'passkeyRegistrationOptions',
        tags,
        response: { 200: WebAuthnOptionsResponse, ...errorResponses },
      },
      config: auth,
    },
    async (request) =>
      factors.passkeyRegistrationOptions(accountOf(request).accountId, relyingPartyOf(request, config)),
  );

  app.post(
    '/v1/me/passkeys',
    {
      schema: {
        operationId: 'registerPasskey',
        tags,
        body: RegisterPasskeyBody,
        response: { 201: PasskeyView, ...errorResponses },
      },
      config: auth,
    },
    async (request, reply) => {
      const body = {
        ...request.body,
        response: request.body.response as unknown as RegistrationResponseJSON,
      };
      const view = await factors.registerPasskey(
        accountOf(request).accountId,
        body,
        relyingPartyOf(request, config),
        metaOf(request),
      );
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/v1/me/passkeys',
    {
      schema: { operationId: 'listPasskeys', tags, response: { 200: PasskeysResponse, ...errorResponses } },
      config: auth,
    },
    async (request) => ({ passkeys: await factors.listPasskeys(accountOf(request).accountId) }),
  );

  app.patch(
    '/v1/me/passkeys/:passkeyId',
    {
      schema: {
        operationId: 'renamePasskey',
        tags,
        params: PasskeyParams,
        body: RenamePasskeyBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: auth,
    },
    async (request, reply) => {
      await factors.renamePasskey(
        accountOf(request).accountId,
        request.params.passkeyId,
        request.body.name,
        metaOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/me/passkeys/:passkeyId',
    {
      schema: {
        operationId: 'removePasskey',
        tags,
        params: PasskeyParams,
        response: { 204: NoContent, ...errorResponses },
      },
      config: auth,
    },
    async (request, reply) => {
      await factors.removePasskey(accountOf(request).accountId, request.params.passkeyId, metaOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/totp',
    {
      schema: { operationId: 'beginTotp', tags, response: { 200: TotpEnrolmentResponse, ...errorResponses } },
      config: auth,
    },
    async (request) => factors.beginTotp(accountOf(request).accountId),
  );

  app.post(
    '/v1/me/totp/confirm',
    {
      schema: {
        operationId: 'confirmTotp',
        tags,
        body: TotpCodeBody,
        response: { 200: RecoveryCodesResponse, ...errorResponses },
      },
      config: { ...auth, ...signInLimit },
    },
    async (request, reply) => ({
      recoveryCodes: await withRetryAfter(reply, () =>
        factors.confirmTotp(accountOf(request).accountId, request.body.code, metaOf(request)),
      ),
    }),
  );

  app.delete(
    '/v1/me/totp',
    {
      schema: {
        operationId: 'disableTotp',
        tags,
        body: DisableTotpBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { ...auth, ...signInLimit },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () =>
        factors.disableTotp(accountOf(request).accountId, request.body, metaOf(request)),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/me/recovery-codes',
    {
      schema: {
        operationId: 'renewRecoveryCodes',
        tags,
        body: PasswordBody,
        response: { 200: RecoveryCodesResponse, ...errorResponses },
      },
      config: { ...auth, ...signInLimit },
    },
    async (request, reply) => ({
      recoveryCodes: await withRetryAfter(reply, () =>
        factors.renewRecoveryCodes(accountOf(request).accountId, request.body.password, metaOf(request)),
      ),
    }),
  );

  // --- a family's requirement ---

  app.get(
    '/v1/families/:familyId/second-factor-requirement',
    {
      schema: {
        operationId: 'getFamilySecondFactorRequirement',
        tags: ['families'],
        params: FamilyParams,
        response: { 200: FamilyRequirementResponse, ...errorResponses },
      },
      config: auth,
    },
    async (request) => factors.familyRequirement(request.params.familyId, accountOf(request).accountId),
  );

  app.put(
    '/v1/families/:familyId/second-factor-requirement',
    {
      schema: {
        operationId: 'setFamilySecondFactorRequirement',
        tags: ['families'],
        params: FamilyParams,
        body: FamilyRequirementBody,
        response: { 200: FamilyRequirementResponse, ...errorResponses },
      },
      config: auth,
    },
    async (request) => {
      const accountId = accountOf(request).accountId;
      await factors.setFamilyRequirement(
        request.params.familyId,
        accountId,
        request.body.required,
        metaOf(request),
      );
      return factors.familyRequirement(request.params.familyId, accountId);
    },
  );
}
