/**
 * The Bus carried by core NATS subjects, so a socket on any node hears events published on any other.
 * Wake-ups only (bus.ts): no JetStream, no acknowledgements. The client reconnects by itself, forever;
 * while it is disconnected `publish` logs and drops (devices catch up by cursor when they next read),
 * and subscriptions are renewed by the client after it reconnects. The server starts even if NATS is
 * down: the first connection is made in the background and the topics subscribed meanwhile are
 * subscribed on NATS once it is up.
 *
 * What an outage cost is made good once the link is back (catch-up.ts): the node that reconnected
 * publishes one catch-up request on `<prefix>.catch-up.all`, and every node (itself included) wakes
 * each stream it holds to read again by cursor. So a wake-up lost on either side (a publisher whose
 * link was down, or a subscriber's) is made up without a new event. health() says whether the link
 * is up, since when it is down and how many events this node dropped, for /readyz and the log.
 */
import { connect, Events, type NatsConnection, type Subscription } from 'nats';
import type { Bus, BusHealth, StreamEvent, Unsubscribe } from './bus.js';
import { createCatchUp } from './catch-up.js';
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

/** The subject of catch-up requests: two tokens after the prefix, so no topic's subject (one token) is it. */
export const catchUpSubject = (prefix: string): string => `${prefix}.catch-up.all`;

/** A Bus over NATS, with what the process needs around it. */
export interface NatsBus extends Bus {
  health(): BusHealth;
  /** Catch-up runs this node made after an outage (tests). */
  catchUps(): number;
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
  /** When the link went down (null while up); the first connection counts as down until made. */
  let downSince: number | null = Date.now();
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

  const catchUp = createCatchUp(
    () => handlers.keys(),
    (topic, event) => {
      for (const handler of [...(handlers.get(topic) ?? [])]) {
        try {
          handler(event);
        } catch (err) {
          onHandlerError(err);
        }
      }
    },
  );

  /** Back after an outage: say what was lost, and have every node wake its streams (itself included, by echo). */
  const recovered = async (conn: NatsConnection, server: string, wasDownMs: number): Promise<void> => {
    log.warn(
      { server, downMs: wasDownMs, droppedHere: dropped },
      'bus: NATS reachable again; wake-ups published meanwhile were lost: asking every node to wake its streams so devices catch up by cursor',
    );
    dropped = 0;
    // The subscriptions the client renewed are on the server before the request goes out.
    await conn.flush();
    conn.publish(catchUpSubject(subjectPrefix), new TextEncoder().encode(JSON.stringify({ from: server, downMs: wasDownMs })));
  };

  const watchStatus = async (conn: NatsConnection): Promise<void> => {
    for await (const status of conn.status()) {
      if (status.type === Events.Disconnect) {
        connected = false;
        downSince ??= Date.now();
        log.warn({ server: status.data }, 'bus: NATS disconnected; events are dropped until it is back');
      } else if (status.type === Events.Reconnect) {
        connected = true;
        const wasDownMs = Date.now() - (downSince ?? Date.now());
        downSince = null;
        recovered(conn, conn.getServer(), wasDownMs).catch((err: unknown) => {
          log.warn({ err }, 'bus: the catch-up request was not sent (the link broke again; it is sent when it is back)');
        });
      }
    }
  };

  // The first connection: retried here (not by the client's waitOnFirstConnect) so close() can stop it.
  let cancelRetry = (): void => undefined;
  let firstFailed = false;
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
        firstFailed = true;
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
    const wasDownMs = Date.now() - (downSince ?? Date.now());
    downSince = null;
    log.info({ server: conn.getServer() }, 'bus: connected to NATS');
    // Every node's catch-up requests (its own too): wake this node's streams.
    conn.subscribe(catchUpSubject(subjectPrefix), {
      callback: (err, msg) => {
        if (err) {
          log.warn({ err }, 'bus: catch-up subscription error');
          return;
        }
        log.info({ request: new TextDecoder().decode(msg.data), topics: handlers.size }, 'bus: waking the streams this node holds to catch up after an outage');
        catchUp.request();
      },
    });
    for (const topic of handlers.keys()) subscribeOnNats(conn, topic);
    // Streams opened while NATS was unreachable at start may have missed events, here or elsewhere.
    if (firstFailed)
      recovered(conn, conn.getServer(), wasDownMs).catch((err: unknown) => {
        log.warn({ err }, 'bus: the catch-up request was not sent (the link broke again; it is sent when it is back)');
      });
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
    health() {
      if (connected && downSince === null) return { ok: true, detail: 'NATS connected' };
      const since = downSince === null ? 'now' : new Date(downSince).toISOString();
      return {
        ok: false,
        detail: `NATS unreachable since ${since}: wake-ups between nodes are not carried (${String(dropped)} dropped here); devices catch up by cursor once it is back`,
      };
    },
    catchUps: () => catchUp.runs(),
    async ready() {
      const conn = await connecting;
      if (!conn) throw new Error('bus: closed before NATS was reached');
      await conn.flush();
    },
    async close() {
      closing = true;
      cancelRetry();
      catchUp.stop();
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
