/**
 * The facts about one answered request that the audit trail and the anomaly detectors need: who
 * (account, device, session, address), which family, what resource, and the answer's status. Read
 * from what the auth hook (auth/hooks.ts) and the route's params left on the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, SESSION_COOKIE, SESSION_PREFIX, TOY_PREFIX } from '../auth/index.js';

export interface RequestFacts {
  operationId: string | null;
  status: number;
  ip: string;
  accountId: string | null;
  /** The device acted as: a person's device (X-Burrow-Device) or a toy. */
  deviceId: string | null;
  /** First 16 hex characters of the session token's SHA-256 (never the token). */
  sessionRef: string | null;
  familyId: string | null;
  resource: string | null;
}

export const sessionRefOf = (sessionHash: string): string => sessionHash.slice(0, 16);

/** The account id a successful sign-in or sign-up answered with (set by the audit onSend hook). */
const signedIn = new WeakMap<FastifyRequest, string>();
export function rememberSignedIn(request: FastifyRequest, accountId: string): void {
  signedIn.set(request, accountId);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;
}

export function operationIdOf(request: FastifyRequest): string | null {
  const schema = request.routeOptions.schema as { operationId?: unknown } | undefined;
  return str(schema?.operationId);
}

export function requestFacts(request: FastifyRequest, reply: FastifyReply): RequestFacts {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const p = request.principal;
  let familyId = str(params.familyId);
  if (familyId === null && p?.kind === 'toy') familyId = p.familyId;
  if (familyId === null) {
    // createFamily names its family inside the signed genesis roster.
    const body = request.body as { roster?: { familyId?: unknown } } | undefined;
    familyId = str(body?.roster?.familyId);
  }
  return {
    operationId: operationIdOf(request),
    status: reply.statusCode,
    ip: request.ip,
    accountId: p?.kind === 'account' ? p.accountId : (signedIn.get(request) ?? null),
    deviceId: p?.kind === 'account' ? p.deviceId : p?.kind === 'toy' ? p.toyId : null,
    sessionRef: p?.kind === 'account' ? sessionRefOf(p.sessionHash) : null,
    familyId,
    resource:
      str(params.messageId) ?? str(params.hash) ?? str(params.toyId) ?? str(params.accountId) ?? str(params.requestId) ?? str(params.invitationId),
  };
}

/** The credential a refused request presented, hashed as tokens are stored (auth/tokens.ts). */
export function presentedToken(request: FastifyRequest): { kind: 'session' | 'toy'; hash: string } | null {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header)?.[1] : undefined;
  const token = bearer ?? request.cookies[SESSION_COOKIE];
  if (!token) return null;
  if (token.startsWith(TOY_PREFIX)) return { kind: 'toy', hash: hashToken(token) };
  if (token.startsWith(SESSION_PREFIX)) return { kind: 'session', hash: hashToken(token) };
  return null;
}
