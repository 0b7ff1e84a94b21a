/**
 * Explicit back-pressure for durable writes. Without it a node past saturation queues every upload
 * and send behind the group commits, and latency climbs into seconds for everyone until requests
 * time out (issue #11). With it the node works on at most `maxInflightWrites` at once, and on fewer
 * once its event loop runs late (`maxLagMs`) while it is busy with its own work (the CPU, not the
 * disk, is then the ceiling, and every write admitted would only make the others wait longer; a loop
 * that is late but mostly idle is waiting for the machine, and refusing would not help); one more is answered 503 `unavailable`
 * with Retry-After before its body is read, so it changes nothing, costs next to nothing, and the
 * writes already accepted keep a bounded wait.
 *
 * The gate is a `preParsing` hook: it runs after the auth hook (only signed-in devices hold slots)
 * and before the body is read (a refused upload's 2 MiB are never buffered). A slot is held until
 * the response is done or the connection closed, whichever comes first, so an abandoned request
 * cannot leak one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import { MIN_INFLIGHT_FOR_LAG, type AdmissionConfig } from './admission-config.js';

export interface Admission {
  /** The route hook (`preParsing`) that admits a durable write or refuses it with 503. */
  readonly gate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Writes in flight now, refused since start, and of those refused for lag (for tests and /metrics-style reading). */
  stats(): { inFlight: number; refused: number; refusedForLag: number; lagMs: number };
  /** Stops the lag monitor. */
  close(): void;
}

/** How late the event loop runs now, and how busy it is with its own work. */
export interface LagMonitor {
  lagMs(): number;
  /** Share of the recent wall time the loop spent working rather than waiting for I/O (0-1). */
  utilization(): number;
  stop(): void;
}

/** Ticks of the lag monitor: cheap (50 timer callbacks a second) and fine enough for a 150 ms limit. */
const TICK_MS = 20;
/** Time constant of the utilization's moving average: a saturated loop shows within some 100 ms. */
const UTILIZATION_TAU_MS = 100;
/**
 * Utilization above which the lag is the node's own doing. A loop that is late but mostly idle is
 * late because the machine is busy with other processes: refusing writes would not help it.
 */
export const SATURATED_UTILIZATION = 0.9;

/**
 * Measures how late a 20 ms timer fires: a saturated loop runs its timers late by the length of the
 * work queued before them. A late tick is taken at once; the reading then halves every tick, so one
 * long pause (a GC, a large query) refuses writes for some 100 ms, not for seconds. Beside it, the
 * loop's utilization (node's event-loop utilization: time working / wall time) over the same ticks.
 */
export function eventLoopLag(): LagMonitor {
  let lag = 0;
  let busy = 0;
  let last = performance.now();
  let elu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.now();
    const elapsed = now - last;
    lag = Math.max(elapsed - TICK_MS, lag / 2);
    const next = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(next, elu).utilization;
    const weight = 1 - Math.exp(-elapsed / UTILIZATION_TAU_MS);
    busy += weight * (share - busy);
    elu = next;
    last = now;
  }, TICK_MS);
  timer.unref();
  return { lagMs: () => lag, utilization: () => busy, stop: () => clearInterval(timer) };
}

export function createAdmission(
  { maxInflightWrites, retryAfterSeconds, maxLagMs }: AdmissionConfig,
  lag: LagMonitor | null = maxLagMs > 0 ? eventLoopLag() : null,
): Admission {
  let inFlight = 0;
  let refused = 0;
  let refusedForLag = 0;
  const refuse = (reply: FastifyReply): Promise<void> => {
    refused += 1;
    void reply.header('retry-after', String(retryAfterSeconds));
    return Promise.reject(
      new AppError('unavailable', `The server is busy storing other messages; try again in ${String(retryAfterSeconds)} s.`),
    );
  };
  return {
    gate(_request, reply) {
      if (inFlight >= maxInflightWrites) return refuse(reply);
      if (
        lag !== null &&
        maxLagMs > 0 &&
        inFlight >= MIN_INFLIGHT_FOR_LAG &&
        lag.lagMs() > maxLagMs &&
        lag.utilization() >= SATURATED_UTILIZATION
      ) {
        refusedForLag += 1;
        return refuse(reply);
      }
      inFlight += 1;
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        inFlight -= 1;
      };
      // 'close' follows both a finished response and a connection dropped mid-request.
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
      return Promise.resolve();
    },
    stats: () => ({ inFlight, refused, refusedForLag, lagMs: lag?.lagMs() ?? 0 }),
    close: () => lag?.stop(),
  };
}
