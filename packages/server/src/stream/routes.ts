/**
 * GET /v1/stream: a WebSocket that wakes a device when something concerns it — a message addressed
 * to it, a receipt for one it sent, a roster change in its families, a pairing claim. Events carry
 * ids only; the device fetches by cursor, so a missed event loses nothing.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { deviceOf, type DeviceCaller } from '../auth/index.js';
import { topics, type Bus, type StreamEvent, type Unsubscribe } from '../bus/index.js';
import type { Db } from '../db/index.js';
import { badRequest, errorResponses, forbidden } from '../errors/index.js';
import { DeviceId } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

export const PING_INTERVAL_MS = 25_000;

const StreamQuery = Type.Object({ device: Type.Optional(DeviceId) });

/** The families whose events a device hears: its account's families, or a toy's family. */
async function familiesOf(db: Db, caller: DeviceCaller): Promise<string[]> {
  if (caller.kind === 'toy') {
    const toy = await db
      .selectFrom('devices')
      .select('family_id')
      .where('id', '=', caller.deviceId)
      .executeTakeFirst();
    return toy?.family_id ? [toy.family_id] : [];
  }
  if (caller.accountId === null) return [];
  const rows = await db
    .selectFrom('family_members')
    .select('family_id')
    .where('account_id', '=', caller.accountId)
    .execute();
  return rows.map((r) => r.family_id);
}

/**
 * A browser sends its cookie with a WebSocket handshake from any page; refuse a cookie-authenticated
 * handshake whose Origin is not this server (cross-site WebSocket hijacking).
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
      return Promise.reject(forbidden('Cross-origin stream requests are refused.'));
  }
  return Promise.resolve();
}

export function streamRoutes(app: App, { db, bus }: RouteContext & { db: Db; bus: Bus }): void {
  const initialFamilies = new WeakMap<FastifyRequest, string[]>();

  // `wsHandler` rather than `websocket: true`, which would hide the route from the API description.
  app.route({
    method: 'GET',
    url: '/v1/stream',
    schema: {
      operationId: 'stream',
      tags: ['stream'],
      description:
        'WebSocket (send an Upgrade request). Pushes {"type":"message"|"receipt"|"roster"|"pairing", ...} events.',
      querystring: StreamQuery,
      response: errorResponses,
    },
    // Upgrades are long-lived, not a request flood; the global limit would answer 429 (STACK.md).
    config: { auth: 'device', deviceFromQuery: true, rateLimit: false },
    preValidation: checkOrigin,
    preHandler: async (request) => {
      initialFamilies.set(request, await familiesOf(db, deviceOf(request)));
    },
    handler: () => {
      throw badRequest('This endpoint speaks WebSocket: send an Upgrade request.');
    },
    wsHandler: (socket, request) => {
      const caller = deviceOf(request);
      const subscriptions = new Map<string, Unsubscribe>();
      const send = (event: StreamEvent): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
      };
      const setFamilies = (familyIds: string[]): void => {
        const wanted = new Set(familyIds.map(topics.family));
        for (const [topic, unsubscribe] of subscriptions) {
          if (topic.startsWith('family:') && !wanted.has(topic)) {
            unsubscribe();
            subscriptions.delete(topic);
          }
        }
        for (const topic of wanted)
          if (!subscriptions.has(topic)) subscriptions.set(topic, bus.subscribe(topic, send));
      };
      const refreshFamilies = (): void => {
        familiesOf(db, caller).then(setFamilies, (err: unknown) => {
          request.log.warn({ err }, 'stream: could not refresh families');
        });
      };

      // Subscribed synchronously, before any event can be published after the client sees "open".
      subscriptions.set(
        topics.device(caller.deviceId),
        bus.subscribe(topics.device(caller.deviceId), (event) => {
          send(event);
          // Pairing or joining a roster changes which families this device hears.
          if (event.type === 'pairing' || event.type === 'roster') refreshFamilies();
        }),
      );
      setFamilies(initialFamilies.get(request) ?? []);

      let alive = true;
      socket.on('pong', () => {
        alive = true;
      });
      const ping = setInterval(() => {
        if (!alive) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, PING_INTERVAL_MS);
      ping.unref();

      socket.on('close', () => {
        clearInterval(ping);
        for (const unsubscribe of subscriptions.values()) unsubscribe();
        subscriptions.clear();
      });
      // Clients have nothing to say on this socket; ignore whatever they send.
      socket.on('message', () => undefined);
    },
  });
}
