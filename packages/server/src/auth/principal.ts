/**
 * Who is calling, decided once per request by the auth hooks (auth/hooks.ts) before the body is read.
 * A person acts through their account and, for device actions, one of their registered devices.
 * A toy has no account: its bearer token is its identity.
 */
import { AppError } from '../errors/index.js';
import type { FastifyRequest } from 'fastify';
import type { MemberRole } from '../db/index.js';

/**
 * The account's role in the family a request's path names (`:familyId`), read by the auth hook in
 * the same statement as the session and device (issue #11: one look-up per fact); role null: not a
 * member. Only for that family id: anything else asks the database (families/access.ts).
 */
export interface Membership {
  familyId: string;
  role: MemberRole | null;
}

/**
 * The message a device's request path names (`:messageId`), read by the auth hook in the same
 * statement as the toy's token or the person's session and device (issue #11: the blob download and
 * the receipt, on every delivery, each read the caller and then the message). Only for routes that ask
 * for it (`config.messageInPath`), only for that message id and that device: anything else asks the
 * database (messages/service.ts).
 */
export interface PathMessage {
  messageId: string;
  /** null: no such message. `recipient`: the toy is one of its recipients. */
  found: { seq: number; familyId: string; senderId: string; blobHash: string | null; recipient: boolean } | null;
}

/**
 * What an upload checks of the blob its path names (`:familyId/blobs/:hash`), read by the session hook
 * with the session (issue #11): the blob's size if the family has it already (undefined: not yet) and
 * the family's stored bytes (its quota). Only for routes that ask (`config.blobInPath`) and only for
 * that family and hash; the membership check is the same as without it (messages/service.ts).
 */
export interface PathBlob {
  familyId: string;
  hash: string;
  size: number | undefined;
  used: number;
}

export interface AccountPrincipal {
  kind: 'account';
  accountId: string;
  sessionHash: string;
  /** Set when the request names one of the account's devices (X-Burrow-Device). */
  deviceId: string | null;
  /** Set by the device hook on a route with a `:familyId` parameter. */
  membership?: Membership;
  /** Set by the device hook on a route with `config.blobInPath`. */
  blob?: PathBlob;
  /** Set by the device hook on a route with `config.messageInPath`. */
  message?: PathMessage;
}

export interface ToyPrincipal {
  kind: 'toy';
  toyId: string;
  familyId: string | null;
  childId: string | null;
  /** Set by the toy hook on a route with `config.messageInPath`. */
  message?: PathMessage;
}

export type Principal = AccountPrincipal | ToyPrincipal;

/**
 * - `account`: a signed-in account.
 * - `accountDevice`: a signed-in account acting as one of its devices (X-Burrow-Device).
 * - `toy`: a toy's bearer token.
 * - `device`: either of the two above that act as a device.
 * - `accountOrToy`: a signed-in account (no device needed) or a toy.
 */
export type AuthKind = 'account' | 'accountDevice' | 'toy' | 'device' | 'accountOrToy';

/** The device a request acts as, whether a person's device or a toy. */
export interface DeviceCaller {
  kind: 'person' | 'toy';
  deviceId: string;
  /** The owning account for a person's device. */
  accountId: string | null;
  /**
   * A toy's family as the auth hook read it with the toy's token (null: unpaired), so a request does
   * not look the toy's device row up a second time (issue #11). Absent for a person's device.
   */
  familyId?: string | null;
  /** A person's role in the family the request's path names, as the auth hook read it (see Membership). */
  membership?: Membership;
  /** The device's view of the message the request's path names, as the auth hook read it (see PathMessage). */
  message?: PathMessage;
  /** The blob the request's path names, as a person's auth hook read it (see PathBlob). */
  blob?: PathBlob;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Which auth hook guards the route (added as an onRequest hook by auth/register.ts). */
    auth?: AuthKind;
    /** Accept the acting device as `?device=` (the WebSocket only: browsers cannot set its headers). */
    deviceFromQuery?: boolean;
    /** The caller (toy token, or session and device) and the path's `:messageId` are read in one statement (see PathMessage). */
    messageInPath?: boolean;
    /** A person's session and the path's `:familyId/…/:hash` blob facts are read in one statement (see PathBlob). */
    blobInPath?: boolean;
  }
}

// These getters run after the route's auth hook; a failure here means a route forgot its hook.
const missingHook = (): AppError => new AppError('internal', 'Internal error');

export function accountOf(request: FastifyRequest): AccountPrincipal {
  const p = request.principal;
  if (p?.kind !== 'account') throw missingHook();
  return p;
}

export function accountDeviceOf(request: FastifyRequest): AccountPrincipal & { deviceId: string } {
  const p = accountOf(request);
  if (p.deviceId === null) throw missingHook();
  return { ...p, deviceId: p.deviceId };
}

export function toyOf(request: FastifyRequest): ToyPrincipal {
  const p = request.principal;
  if (p?.kind !== 'toy') throw missingHook();
  return p;
}

export function deviceOf(request: FastifyRequest): DeviceCaller {
  const p = request.principal;
  if (p?.kind === 'toy')
    return { kind: 'toy', deviceId: p.toyId, accountId: null, familyId: p.familyId, ...(p.message ? { message: p.message } : {}) };
  if (p?.kind === 'account' && p.deviceId !== null)
    return {
      kind: 'person',
      deviceId: p.deviceId,
      accountId: p.accountId,
      ...(p.membership ? { membership: p.membership } : {}),
      ...(p.blob ? { blob: p.blob } : {}),
      ...(p.message ? { message: p.message } : {}),
    };
  throw missingHook();
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw missingHook();
  return request.principal;
}
