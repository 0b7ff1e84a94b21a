/**
 * The Bus carried by core NATS subjects, so a socket on any node hears events published on any other.
 * Wake-ups only (bus.ts): no JetStream, no acknowledgements. The client reconnects by itself, forever;
 * while it is disconnected `publish` logs and drops (devices catch up by cursor when they next read),
 * and subscriptions are renewed by the client after it reconnects. The server starts even if NATS is
 * down: the first connection is made in the background and the topics subscribed meanwhile are
 * subscribed on NATS once it is up.
 */
import { connect, Events, type NatsConnection, type Subscription } from 'nats';
import type { Bus, StreamEvent, Unsubscribe } from './bus.js';
import { topicSubject } from './subjects.js';

type Handler = (event: StreamEvent) => void;

/** How long close() lets a reachable server confirm the drain before closing outright. */
const DRAIN_TIMEOUT_MS = 2000;

/** What the adapter logs (a pino Logger fits). */
export interface BusLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NatsBusOptions {
  /** nats://host:port URLs (several for a cluster). */
  readonly servers: readonly string[];
  /** Subjects are `<prefix>.<encoded topic>` (subjects.ts). */
  readonly subjectPrefix: string;
  readonly log: BusLog;
  /** A handler threw: logged by the caller; never reaches the publisher or other handlers. */
  readonly onHandlerError?: (err: unknown) => void;
  /** Delay between reconnect attempts (default 1 s). */
  readonly reconnectTimeWaitMs?: number;
}

/** A Bus over NATS, with what the process needs around it. */
export interface NatsBus extends Bus {
  /** Resolves once connected and every subscription so far is registered on the server. */
  ready(): Promise<void>;
  /** Drains and closes the connection (shutdown); idempotent. */
  close(): Promise<void>;
}

/** Starts connecting at once and returns without waiting (see ready()). */
export function createNatsBus(options: NatsBusOptions): NatsBus {
  const { log, subjectPrefix } = options;
  const onHandlerError = options.onHandlerError ?? (() => undefined);
  const handlers = new Map<string, Set<Handler>>();
  const natsSubs = new Map<string, Subscription>();
  let nc: NatsConnection | null = null;
  let connected = false;
  let closing = false;
  let dropped = 0;
  const retryMs = options.reconnectTimeWaitMs ?? 1000;

  const deliver = (topic: string, data: Uint8Array): void => {
    let event: StreamEvent;
    try {
      event = JSON.parse(new TextDecoder().decode(data)) as StreamEvent;
    } catch (err) {
      log.warn({ err, topic }, 'bus: unreadable event dropped');
      return;
    }
    for (const handler of [...(handlers.get(topic) ?? [])]) {
      try {
        handler(event);
      } catch (err) {
        onHandlerError(err);
      }
    }
  };

  const subscribeOnNats = (conn: NatsConnection, topic: string): void => {
    if (natsSubs.has(topic)) return;
    const sub = conn.subscribe(topicSubject(subjectPrefix, topic), {
      callback: (err, msg) => {
        if (err) log.warn({ err, topic }, 'bus: subscription error');
        else deliver(topic, msg.data);
      },
    });
    natsSubs.set(topic, sub);
  };

  const watchStatus = async (conn: NatsConnection): Promise<void> => {
    for await (const status of conn.status()) {
      if (status.type === Events.Disconnect) {
        connected = false;
        log.warn({ server: status.data }, 'bus: NATS disconnected; events are dropped until it is back');
      } else if (status.type === Events.Reconnect) {
        connected = true;
        log.info({ server: status.data, dropped }, 'bus: NATS reconnected');
        dropped = 0;
      }
    }
  };

  // The first connection: retried here (not by the client's waitOnFirstConnect) so close() can stop it.
  let cancelRetry = (): void => undefined;
  const firstConnection = async (): Promise<NatsConnection | null> => {
    for (let attempt = 0; !closing; attempt++) {
      try {
        return await connect({
          servers: [...options.servers],
          name: 'burrow',
          maxReconnectAttempts: -1,
          reconnectTimeWait: retryMs,
        });
      } catch (err) {
        if (attempt === 0) log.error({ err }, 'bus: cannot connect to NATS; retrying (events are dropped meanwhile)');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          cancelRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return null;
  };

  const connecting = firstConnection().then((conn) => {
    if (!conn) return null;
    if (closing) {
      void conn.close();
      return null;
    }
    nc = conn;
    connected = true;
    log.info({ server: conn.getServer() }, 'bus: connected to NATS');
    for (const topic of handlers.keys()) subscribeOnNats(conn, topic);
    watchStatus(conn).catch((err: unknown) => {
      log.error({ err }, 'bus: NATS status watch failed');
    });
    conn.closed().then(
      (err) => {
        connected = false;
        if (err) log.error({ err }, 'bus: NATS connection closed with an error');
      },
      () => undefined,
    );
    return conn;
  });

  return {
    publish(topic, event) {
      if (!nc || !connected) {
        dropped++;
        log.warn({ topic, type: event.type }, 'bus: NATS unavailable; event dropped (clients catch up by cursor)');
        return;
      }
      try {
        nc.publish(topicSubject(subjectPrefix, topic), new TextEncoder().encode(JSON.stringify(event)));
      } catch (err) {
        dropped++;
        log.warn({ err, topic, type: event.type }, 'bus: publish failed; event dropped');
      }
    },
    subscribe(topic, handler): Unsubscribe {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const own: Handler = (e) => {
        handler(e);
      };
      set.add(own);
      if (nc && !nc.isClosed()) subscribeOnNats(nc, topic);
      return () => {
        const current = handlers.get(topic);
        current?.delete(own);
        if (current?.size !== 0) return;
        handlers.delete(topic);
        const sub = natsSubs.get(topic);
        natsSubs.delete(topic);
        try {
          sub?.unsubscribe();
        } catch (err) {
          log.warn({ err, topic }, 'bus: unsubscribe failed');
        }
      };
    },
    async ready() {
      const conn = await connecting;
      if (!conn) throw new Error('bus: closed before NATS was reached');
      await conn.flush();
    },
    async close() {
      closing = true;
      cancelRetry();
      const conn = nc;
      const wasConnected = connected;
      nc = null;
      connected = false;
      natsSubs.clear();
      if (!conn || conn.isClosed()) return;
      // drain() waits for the server to confirm every subscription's end: while NATS is unreachable
      // it would wait forever and hold the process open at shutdown, so close outright then, and
      // give a reachable server a bounded time.
      if (!wasConnected) {
        await conn.close();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), DRAIN_TIMEOUT_MS);
      });
      const outcome = await Promise.race([conn.drain().then(() => 'drained' as const, () => 'failed' as const), gaveUp]);
      clearTimeout(timer);
      if (outcome !== 'drained' && !conn.isClosed()) await conn.close();
    },
  };
}
