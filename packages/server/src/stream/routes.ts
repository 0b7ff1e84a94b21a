/**
 * GET /v1/stream: a WebSocket that wakes a device when something concerns it — a message addressed
 * to it, a receipt for one it sent, a roster change in its families, a pairing claim, a toy of its
 * family coming online or going offline. Events carry ids only; the device fetches by cursor, so a
 * missed event loses nothing.
 *
 * Who connects: a person's device (session cookie or bearer, `?device=`), a toy with its bearer token
 * (the headless toy), or a toy with a single-use ticket (`?device=<toyId>&ticket=`: the toy simulator,
 * since a browser cannot set an Authorization header on a WebSocket; see tickets.ts).
 */
import { StreamQuery, StreamTicketResponse, errorResponses } from '@burrow/api';
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { createAuthHooks, deviceOf, toyOf, type DeviceCaller, type SecondFactorGate } from '../auth/index.js';
import type { Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { familyOfDevice } from '../devices/store.js';
import { familiesOfAccount } from '../families/store.js';
import { badRequest, forbidden } from '../errors/index.js';
import type { App, RouteContext } from '../http/types.js';
import { createHeartbeat } from './heartbeat.js';
import { createPresenceTracker, PING_INTERVAL_MS, type PresenceListener } from './presence.js';
import { StreamSession, type StreamNode } from './session.js';
import { createStreamTickets } from './tickets.js';

export { PING_INTERVAL_MS } from './presence.js';

/** The families whose events a device hears: its account's families, or a toy's family. */
async function familiesOf(db: Db, caller: DeviceCaller): Promise<string[]> {
  if (caller.kind === 'toy') {
    const familyId = await familyOfDevice(db, caller.deviceId);
    return familyId ? [familyId] : [];
  }
  if (caller.accountId === null) return [];
  return familiesOfAccount(db, caller.accountId);
}

/**
 * A browser sends its cookie with a WebSocket handshake from any page; refuse a handshake without an
 * Authorization header whose Origin is not this server (cross-site WebSocket hijacking).
 */
function checkOrigin(request: FastifyRequest): Promise<void> {
  const origin = request.headers.origin;
  if (request.headers.authorization === undefined && origin !== undefined) {
    let host: string | null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== request.headers.host)
      return Promise.reject(forbidden('cross_origin', 'Cross-origin stream requests are refused.'));
  }
  return Promise.resolve();
}

export function streamRoutes(
  app: App,
  {
    db,
    bus,
    clock,
    secondFactorGate,
    onPresence,
  }: RouteContext & { db: Db; bus: Bus; clock: Clock; secondFactorGate: SecondFactorGate; onPresence?: PresenceListener },
): void {
  const initialFamilies = new WeakMap<FastifyRequest, string[]>();
  const tickets = createStreamTickets({ db, clock });
  const presence = createPresenceTracker({ db, bus, clock, log: app.log, ...(onPresence ? { onPresence } : {}) });
  // A node that stops says so: its liveness record goes, and with it its toys' "online".
  app.addHook('onClose', () => presence.stop());
  const heartbeat = createHeartbeat<WebSocket>(PING_INTERVAL_MS);
  app.addHook('onClose', () => heartbeat.stop());
  // Shared by every socket rather than a closure each (`this` is the socket that emitted).
  const answered = function (this: WebSocket): void {
    heartbeat.answered(this);
  };
  const ignore = (): void => undefined;
  /**
   * @fastify/websocket leaves every open stream holding its HTTP exchange: an 'error' listener closing
   * over the Fastify request and reply (and their logger), and the hijacked ServerResponse still
   * assigned to the TCP socket, which keeps the IncomingMessage and its headers. Hand the socket's
   * errors to a listener shared by all and detach the response (issue #11: memory per toy).
   */
  const onSocketError = function (this: WebSocket, err: Error): void {
    app.log.warn({ err }, 'stream: socket error');
    this.terminate();
  };
  const releaseExchange = (socket: WebSocket, request: FastifyRequest): void => {
    // Added before the plugin's are removed: removing an event's only listener `delete`s a key of
    // the socket's _events and turns that object into a slow dictionary (+256 B per stream).
    const theirs = socket.listeners('error') as ((err: Error) => void)[];
    socket.on('error', onSocketError);
    for (const listener of theirs) socket.off('error', listener);
    const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
    tcp._httpMessage?.detachSocket(tcp);
  };
  const authHooks = createAuthHooks({ db, clock, secondFactorGate });
  const node: StreamNode = { bus, presence, heartbeat, familiesOf: (caller) => familiesOf(db, caller), log: app.log };

  app.post(
    '/v1/toys/me/stream-tickets',
    {
      schema: {
        operationId: 'createStreamTicket',
        tags: ['stream'],
        description: 'A single-use ticket to open /v1/stream as this toy from a browser (valid 30 s).',
        response: { 201: StreamTicketResponse, ...errorResponses },
      },
      config: { auth: 'toy' },
    },
    async (request, reply) => reply.code(201).send(await tickets.issue(toyOf(request).toyId)),
  );

  // `wsHandler` rather than `websocket: true`, which would hide the route from the API description.
  app.route({
    method: 'GET',
    url: '/v1/stream',
    schema: {
      operationId: 'stream',
      tags: ['stream'],
      description:
        'WebSocket (send an Upgrade request). Pushes {"type":"message"|"receipt"|"roster"|"pairing"|"settings"|"presence"|"unpaired", ...} events.',
      querystring: StreamQuery,
      response: errorResponses,
      // Or `?ticket=` (createStreamTicket), for a toy in a browser.
      security: [{ session: [] }, { toy: [] }],
    },
    // Upgrades are long-lived, not a request flood; the global limit would answer 429 (STACK.md).
    // Authentication is done here rather than by `config.auth`: a ticket is a third way in.
    config: { deviceFromQuery: true, rateLimit: false },
    onRequest: async (request) => {
      const { ticket, device } = request.query as { ticket?: unknown; device?: unknown };
      if (typeof ticket === 'string') {
        if (request.headers.authorization !== undefined)
          throw badRequest('invalid_request', 'Send either a stream ticket or an Authorization header, not both.');
        request.principal = await tickets.redeem(ticket, typeof device === 'string' ? device : undefined);
        return;
      }
      await authHooks.device(request);
    },
    preValidation: checkOrigin,
    preHandler: async (request) => {
      const caller = deviceOf(request);
      // Read here, as before 61f50f6, not taken from the auth hook's toy row: with that shortcut a
      // toy's guardians twice did not see it online after its identity renewal (toys.test in CI).
      initialFamilies.set(request, await familiesOf(db, caller));
    },
    handler: () => {
      throw badRequest('websocket_required', 'This endpoint speaks WebSocket: send an Upgrade request.');
    },
    wsHandler: (socket, request) => {
      const familyIds = initialFamilies.get(request) ?? [];
      initialFamilies.delete(request);
      const caller = deviceOf(request);
      // From here on nothing may keep `request`: each open stream would hold its whole HTTP exchange.
      releaseExchange(socket, request);
      new StreamSession(node, socket, caller, familyIds);
      socket.on('pong', answered);
      // Clients have nothing to say on this socket; ignore whatever they send.
      socket.on('message', ignore);
    },
  });
}
