/**
 * Pings every open stream once per interval and drops one that did not answer the previous ping (a
 * toy whose network vanished without a FIN). One timer per node rather than one per socket: at 10k
 * toys a timer per socket held 10k Timeout objects and their closures (issue #11, memory per toy).
 * The sockets are spread over `SLOTS` buckets, one visited per tick, so each socket is still pinged
 * every interval, its first ping one interval after it opened, and the pings of 100k toys do not all
 * go out in the same turn of the event loop.
 */

/** What the heartbeat needs of a socket (ws's WebSocket). */
export interface Pingable {
  ping(): void;
  terminate(): void;
}

export interface Heartbeat<S extends Pingable> {
  add(socket: S): void;
  /** The socket answered (its 'pong'). */
  answered(socket: S): void;
  remove(socket: S): void;
  /** Visits the next bucket now (the timer's work; tests call it). */
  tick(): void;
  stop(): void;
}

/** Buckets per interval: a tick every interval / SLOTS (1 s at the 25 s interval). */
export const SLOTS = 25;

export function createHeartbeat<S extends Pingable>(intervalMs: number): Heartbeat<S> {
  const buckets = Array.from({ length: SLOTS }, () => new Set<S>());
  const unanswered = new Set<S>();
  // The bucket visited next; a new socket joins the one just visited, so its first ping is a full
  // interval away, as it was with a timer of its own.
  let next = 0;
  const tick = (): void => {
    const bucket = buckets[next]!;
    next = (next + 1) % SLOTS;
    for (const socket of bucket) {
      if (unanswered.has(socket)) {
        socket.terminate(); // its 'close' removes it
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  };
  const timer = setInterval(tick, intervalMs / SLOTS);
  timer.unref();
  return {
    add(socket) {
      buckets[(next + SLOTS - 1) % SLOTS]!.add(socket);
    },
    answered(socket) {
      unanswered.delete(socket);
    },
    remove(socket) {
      // No map from socket to bucket (an entry per socket): a close tries the 25 sets instead.
      for (const bucket of buckets) if (bucket.delete(socket)) break;
      unanswered.delete(socket);
    },
    tick,
    stop() {
      clearInterval(timer);
    },
  };
}
