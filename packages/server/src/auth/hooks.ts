/**
 * Authentication hooks, run as `onRequest` so an unauthenticated caller is turned away before any
 * body is read or validated. Sessions come from `Authorization: Bearer bs_...` or the
 * `burrow_session` cookie; toys from `Authorization: Bearer bt_...`; the device a person acts as
 * from `X-Burrow-Device` (or `?device=` on the WebSocket, which browsers cannot add headers to).
 */
import type { FastifyRequest } from 'fastify';
import { ID_PATTERN } from '@burrow/api';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { compiledStatement } from '../db/compiled.js';
import { badRequest, forbidden, unauthenticated, signInFirst } from '../errors/index.js';
import type { AccountPrincipal, AuthKind, PathBlob, PathMessage, ToyPrincipal } from './principal.js';
import { hashToken, SESSION_PREFIX, TOY_PREFIX } from './tokens.js';

export const SESSION_COOKIE = 'burrow_session';
/** A session unused this long ends (sessions/store.ts lists and revokes sessions). */
export const SESSION_IDLE_MS = 7 * 24 * 60 * 60 * 1000;
export const DEVICE_HEADER = 'x-burrow-device';
/** Device and family ids have one shape (@burrow/api's Id), checked here before any route schema runs. */
const ID = new RegExp(ID_PATTERN);

export type AuthHook = (request: FastifyRequest) => Promise<void>;

/**
 * The family-wide second-factor requirement (second-factors/gate.ts): true when a family of the
 * account requires a second factor the account has not added, so it may not act as a device yet.
 */
export interface SecondFactorGate {
  lacksRequired(accountId: string): Promise<boolean>;
}

export const SECOND_FACTOR_REQUIRED_MESSAGE =
  'Your family asks everyone to use two-step sign-in. Add an authenticator app or a passkey under Security, then try again.';

/** One hook per AuthKind (see principal.ts). */
export type AuthHooks = Record<AuthKind, AuthHook>;

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header);
  if (!match?.[1]) throw unauthenticated('authorization_malformed', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}

function sessionToken(request: FastifyRequest): string | null {
  const token = bearer(request);
  if (token !== null) return token.startsWith(SESSION_PREFIX) ? token : null;
  return request.cookies[SESSION_COOKIE] ?? null;
}

/** The device id a request names: the header, or `?device=` (allowed for the WebSocket only). */
function requestedDevice(request: FastifyRequest, allowQuery: boolean): string | null {
  const header = request.headers[DEVICE_HEADER];
  let value: string | undefined = Array.isArray(header) ? header[0] : header;
  if (value === undefined && allowQuery) {
    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?.device === 'string') value = query.device;
  }
  if (value === undefined) return null;
  if (!ID.test(value)) throw badRequest('device_header_invalid', 'X-Burrow-Device must be a device id.');
  return value;
}

/**
 * The `:familyId` the route's path names, if any (routing has filled the params before onRequest).
 * Hooks run before the route's schema: a value no id can be (a NUL byte made PostgreSQL refuse the
 * query, a 500 the fuzz test found) is left to the schema's 400 and looked up as no family.
 */
function familyInPath(request: FastifyRequest): string | null {
  const value = (request.params as Record<string, unknown> | undefined)?.familyId;
  return typeof value === 'string' && ID.test(value) ? value : null;
}

/** The path's message as a joined read answered it (left joins: nulls when there is no such message). */
function pathMessage(
  messageId: string,
  row: {
    message_seq: number | null;
    message_family_id: string | null;
    message_sender_id: string | null;
    message_blob_hash: string | null;
    recipient: string | null;
  },
): PathMessage {
  return {
    messageId,
    found:
      row.message_seq === null || row.message_family_id === null || row.message_sender_id === null
        ? null
        : {
            seq: row.message_seq,
            familyId: row.message_family_id,
            senderId: row.message_sender_id,
            blobHash: row.message_blob_hash,
            recipient: row.recipient !== null,
          },
  };
}

/** The `:hash` (base64url SHA-256, 43 characters) the route's path names, if it has that shape (else the schema's 400). */
function blobHashInPath(request: FastifyRequest): string | null {
  const value = (request.params as Record<string, unknown> | undefined)?.hash;
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

/** The `:messageId` the route's path names, if it has the shape of an id (else the schema's 400 follows). */
function messageInPath(request: FastifyRequest): string | null {
  const value = (request.params as Record<string, unknown> | undefined)?.messageId;
  return typeof value === 'string' && ID.test(value) ? value : null;
}

// The hot reads of every authenticated request, built and compiled once (db/compiled.ts).
const sessionByHash = compiledStatement(1, (db, sessionHash: string) =>
  db.selectFrom('sessions').select(['account_id', 'expires_at', 'created_at', 'last_used_at']).where('token_hash', '=', sessionHash),
);
/**
 * The session and, in the same statement, the named device if it is a person's device of that
 * account; the account's role in the family the path names (none: `''`); and whether any family of
 * the account requires a second factor (second-factors/gate.ts). Three look-ups every upload and send
 * made one after another, now one (issue #11); the gate's own, slower check runs only when a rule exists.
 */
const sessionWithDeviceQuery = (db: Db, sessionHash: string, deviceId: string, familyId: string) =>
  db
    .selectFrom('sessions')
    .leftJoin('devices', (join) =>
      join.on('devices.id', '=', deviceId).on('devices.kind', '=', 'person').onRef('devices.account_id', '=', 'sessions.account_id'),
    )
    .leftJoin('family_members', (join) =>
      join.on('family_members.family_id', '=', familyId).onRef('family_members.account_id', '=', 'sessions.account_id'),
    )
    .select((eb) => [
      'sessions.account_id',
      'sessions.expires_at',
      'sessions.created_at',
      'sessions.last_used_at',
      'devices.id as device_id',
      'family_members.role as family_role',
      eb
        .exists(
          eb
            .selectFrom('family_members as ruled')
            .innerJoin('family_second_factor_rules', 'family_second_factor_rules.family_id', 'ruled.family_id')
            .select('ruled.family_id')
            .whereRef('ruled.account_id', '=', 'sessions.account_id'),
        )
        .as('second_factor_rule'),
    ])
    .where('sessions.token_hash', '=', sessionHash);
const sessionWithDevice = compiledStatement(3, (db, sessionHash: string, deviceId: string, familyId: string) =>
  sessionWithDeviceQuery(db, sessionHash, deviceId, familyId),
);
/**
 * The same, with what an upload checks of the blob its path names (a scalar read each: the blob's size
 * if the family has it, the family's running storage total). Two statements every upload made one
 * after another (issue #11), now one; the blob tables are messages/store.ts's, read as uploadFacts does.
 */
const sessionWithDeviceAndBlob = compiledStatement(4, (db, sessionHash: string, deviceId: string, familyId: string, hash: string) =>
  sessionWithDeviceQuery(db, sessionHash, deviceId, familyId).select((eb) => [
    eb.selectFrom('blobs').select('size').where('blobs.family_id', '=', familyId).where('blobs.hash', '=', hash).as('blob_size'),
    eb.selectFrom('family_blob_usage').select('bytes').where('family_blob_usage.family_id', '=', familyId).as('family_bytes'),
  ]),
);
/**
 * The same, with the message the path names and whether the device is one of its recipients (as
 * toyWithMessage below, for a person's device: a guardian fetching a child's answer and its receipt).
 */
const sessionWithDeviceAndMessage = compiledStatement(4, (db, sessionHash: string, deviceId: string, familyId: string, messageId: string) =>
  sessionWithDeviceQuery(db, sessionHash, deviceId, familyId)
    .leftJoin('messages', (join) => join.on('messages.id', '=', messageId))
    .leftJoin('message_recipients', (join) =>
      join.onRef('message_recipients.message_seq', '=', 'messages.seq').on('message_recipients.device_id', '=', deviceId),
    )
    .select([
      'messages.seq as message_seq',
      'messages.family_id as message_family_id',
      'messages.sender_id as message_sender_id',
      'messages.blob_hash as message_blob_hash',
      'message_recipients.device_id as recipient',
    ]),
);
const toyByToken = compiledStatement(2, (db, tokenHash: string, kind: 'toy') =>
  db.selectFrom('devices').select(['id', 'family_id', 'child_id']).where('token_hash', '=', tokenHash).where('kind', '=', kind),
);
/**
 * The toy and, in the same statement, the message its request's path names and whether the toy is
 * one of its recipients (left joins: no message, no recipient row). The toy's blob download and its
 * receipt, on every delivery, read the token and then the message: one statement each now (issue #11).
 */
const toyWithMessage = compiledStatement(3, (db, tokenHash: string, kind: 'toy', messageId: string) =>
  db
    .selectFrom('devices')
    .leftJoin('messages', (join) => join.on('messages.id', '=', messageId))
    .leftJoin('message_recipients', (join) =>
      join.onRef('message_recipients.message_seq', '=', 'messages.seq').onRef('message_recipients.device_id', '=', 'devices.id'),
    )
    .select([
      'devices.id',
      'devices.family_id',
      'devices.child_id',
      'messages.seq as message_seq',
      'messages.family_id as message_family_id',
      'messages.sender_id as message_sender_id',
      'messages.blob_hash as message_blob_hash',
      'message_recipients.device_id as recipient',
    ])
    .where('devices.token_hash', '=', tokenHash)
    .where('devices.kind', '=', kind),
);

interface SessionRow {
  account_id: string;
  expires_at: number;
  created_at: number;
  last_used_at: number | null;
}

export function createAuthHooks({ db, clock, secondFactorGate }: { db: Db; clock: Clock; secondFactorGate: SecondFactorGate }): AuthHooks {
  /** Checks a session row read by its hash (ended sessions refuse), and records its use. */
  async function acceptSession(request: FastifyRequest, sessionHash: string, row: SessionRow | undefined): Promise<AccountPrincipal> {
    const now = clock.now();
    const lastUsed = row ? (row.last_used_at ?? row.created_at) : 0;
    // Absolute expiry (30 days after sign-in) and idle expiry (7 days without use).
    if (!row || row.expires_at <= now || lastUsed + SESSION_IDLE_MS <= now)
      throw unauthenticated('session_ended', 'Your session has ended. Sign in again.');
    // Recorded at most once a minute: the sessions list shows it, idle expiry counts from it.
    if (now - lastUsed >= 60_000) {
      const ua = request.headers['user-agent'];
      await db
        .updateTable('sessions')
        .set({ last_used_at: now, ip: request.ip, ...(typeof ua === 'string' && ua ? { user_agent: ua.slice(0, 512) } : {}) })
        .where('token_hash', '=', sessionHash)
        .execute();
    }
    return { kind: 'account', accountId: row.account_id, sessionHash, deviceId: null };
  }

  function sessionHashOf(request: FastifyRequest): string {
    const token = sessionToken(request);
    if (token === null) throw signInFirst();
    return hashToken(token);
  }

  async function loadAccount(request: FastifyRequest): Promise<AccountPrincipal> {
    const sessionHash = sessionHashOf(request);
    return acceptSession(request, sessionHash, await sessionByHash.first(db, sessionHash));
  }

  /**
   * The account acting as one of its own registered devices, named by the request: the session and
   * the device in one statement (issue #11: one look-up per fact). The errors keep their order: an
   * ended session first, then a missing or malformed device header, then a device not the account's.
   */
  async function loadAccountDevice(request: FastifyRequest): Promise<AccountPrincipal> {
    let deviceId: string | null;
    try {
      deviceId = requestedDevice(request, request.routeOptions.config.deviceFromQuery === true);
    } catch (err) {
      await loadAccount(request);
      throw err;
    }
    if (deviceId === null) {
      await loadAccount(request);
      throw badRequest('device_header_required', 'This request acts as a device: send the X-Burrow-Device header.');
    }
    const sessionHash = sessionHashOf(request);
    const familyId = familyInPath(request);
    const hash = familyId !== null && request.routeOptions.config.blobInPath === true ? blobHashInPath(request) : null;
    const messageId = request.routeOptions.config.messageInPath === true ? messageInPath(request) : null;
    let blob: PathBlob | undefined;
    let message: PathMessage | undefined;
    let row: Awaited<ReturnType<typeof sessionWithDevice.first>>;
    if (messageId !== null) {
      const withMessage = await sessionWithDeviceAndMessage.first(db, sessionHash, deviceId, familyId ?? '', messageId);
      row = withMessage;
      if (withMessage) message = pathMessage(messageId, withMessage);
    } else if (familyId !== null && hash !== null) {
      const withBlob = await sessionWithDeviceAndBlob.first(db, sessionHash, deviceId, familyId, hash);
      row = withBlob;
      if (withBlob)
        blob = { familyId, hash, size: withBlob.blob_size ?? undefined, used: Number(withBlob.family_bytes ?? 0) };
    } else row = await sessionWithDevice.first(db, sessionHash, deviceId, familyId ?? '');
    const principal = await acceptSession(request, sessionHash, row);
    if (!row?.device_id) throw forbidden('device_not_yours', 'That device is not registered to your account.');
    // Family operations wait until a second factor is added, if a family of this account requires one
    // (SQLite answers `exists` with 1 or 0, PostgreSQL with true or false).
    if (Number(row.second_factor_rule) === 1 && (await secondFactorGate.lacksRequired(principal.accountId)))
      throw forbidden('second_factor_required', SECOND_FACTOR_REQUIRED_MESSAGE);
    return {
      ...principal,
      deviceId,
      ...(familyId === null ? {} : { membership: { familyId, role: row.family_role ?? null } }),
      ...(blob ? { blob } : {}),
      ...(message ? { message } : {}),
    };
  }

  /** The toy by its token; with the path's message too on a route that asks (config.messageInPath). */
  async function loadToy(request: FastifyRequest, token: string): Promise<ToyPrincipal> {
    const messageId = request.routeOptions.config.messageInPath === true ? messageInPath(request) : null;
    if (messageId === null) {
      const row = await toyByToken.first(db, hashToken(token), 'toy');
      if (!row) throw unauthenticated('toy_token_unknown', 'Unknown toy token.');
      return { kind: 'toy', toyId: row.id, familyId: row.family_id, childId: row.child_id };
    }
    const row = await toyWithMessage.first(db, hashToken(token), 'toy', messageId);
    if (!row) throw unauthenticated('toy_token_unknown', 'Unknown toy token.');
    return { kind: 'toy', toyId: row.id, familyId: row.family_id, childId: row.child_id, message: pathMessage(messageId, row) };
  }

  return {
    async account(request) {
      request.principal = await loadAccount(request);
    },
    async accountDevice(request) {
      request.principal = await loadAccountDevice(request);
    },
    async toy(request) {
      const token = bearer(request);
      if (token === null || !token.startsWith(TOY_PREFIX))
        throw unauthenticated('toy_token_required', 'This request needs a toy token.');
      request.principal = await loadToy(request, token);
    },
    async device(request) {
      const token = bearer(request);
      if (token?.startsWith(TOY_PREFIX)) {
        request.principal = await loadToy(request, token);
        return;
      }
      request.principal = await loadAccountDevice(request);
    },
    async accountOrToy(request) {
      const token = bearer(request);
      request.principal = token?.startsWith(TOY_PREFIX) ? await loadToy(request, token) : await loadAccount(request);
    },
  };
}
