/**
 * Explicit back-pressure for durable writes. Without it a node past saturation queues every upload
 * and send behind the group commits, and latency climbs into seconds for everyone until requests
 * time out (issue #11). With it the node works on at most `maxInflightWrites` at once, and on fewer
 * once its event loop runs late (`maxLagMs`) while it is busy with its own work (the CPU, not the
 * disk, is then the ceiling, and every write admitted would only make the others wait longer; a loop
 * that is late but mostly idle is waiting for the machine, and refusing would not help), or while
 * `maxInflightDeliveries` deliveries are being answered: one more write is answered 503 `unavailable`
 * with Retry-After before its body is read, so it changes nothing, costs next to nothing, and the
 * writes already accepted keep a bounded wait.
 *
 * Deliveries first. Refusing writes bounds the *send*; but a message is only useful once its
 * recipient holds it, and a toy's reads (inbox page or sync, blob download, receipt) share the one
 * event loop and libuv's threadpool with the writes. Without a priority, a node past saturation kept
 * its write slots full and the toy's reads queued behind them: accepted messages reached the toy
 * seconds late (docs/performance.md). So deliveries are counted too (`delivery`: from after the
 * reader's authentication until its answer is handed over), and while many are being answered the
 * node stops taking new writes until it has delivered what it accepted.
 *
 * The refusal comes twice. `precheck`, a route's first `onRequest` hook, runs before authentication:
 * a node already refusing answers at once without the session's SQL (past saturation the refusals,
 * retried after Retry-After, are most of the requests, and each one that read a session took CPU
 * from the deliveries). `gate`, a `preParsing` hook, runs after authentication (only signed-in
 * devices hold slots) and before the body is read (a refused upload's 2 MiB are never buffered). A
 * slot is held until the response is done or the connection closed, whichever comes first, so an
 * abandoned request cannot leak one.
 *
 * A fair share, and a deadline. Holding a slot costs a client nothing but an open connection: an
 * upload whose body is sent slowly, or half, holds one for as long as its connection stays open, and
 * 256 of them from one signed-in device paused every family's sends on the node (found in review). So
 * one caller (a person's account, all its devices together, or a toy) holds at most
 * `maxInflightWritesPerCaller` slots: one more of its writes is refused with the same 503 while other
 * callers are still admitted. And a write whose body has not arrived `writeBodyTimeoutMs` after it was
 * admitted is cut with 408 (`bodyDeadline`, http/body-deadline.ts), which frees its slot.
 *
 * Why 503 and not 429 for the caller's share: it is the node's capacity being shared, not a rate the
 * caller exceeded over time, and it ends as soon as one of the caller's own writes does. The apps
 * already send an upload or send refused with 503 and a short Retry-After again (packages/client
 * api.ts), which is what a caller with a burst of writes should do; a 429 would end the send with an
 * error instead.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import {
  DEFAULT_DELIVERY_HOLD_MS,
  DEFAULT_WRITE_BODY_TIMEOUT_MS,
  DEFAULT_WRITES_PER_CALLER,
  MIN_INFLIGHT_FOR_LAG,
  type AdmissionConfig,
} from './admission-config.js';
import { createBodyDeadline, type PayloadHook } from './body-deadline.js';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AdmissionStats {
  /** Writes in flight now. */
  inFlight: number;
  /**
   * Writes refused since start (by either hook), and of those for lag, for deliveries in flight, for
   * their caller's share of the slots, and before authentication.
   */
  refused: number;
  refusedForLag: number;
  refusedForDeliveries: number;
  refusedForCaller: number;
  refusedBeforeAuth: number;
  /** Writes cut since start because their body had not arrived by the deadline (408). */
  cutForSlowBody: number;
  /** Deliveries being answered now. */
  deliveries: number;
  lagMs: number;
}

export interface Admission {
  /** A write route's first `onRequest` hook: refuses at once, before authentication, a write the node would refuse anyway. */
  readonly precheck: Hook;
  /** The write route hook (`preParsing`, after authentication) that admits a durable write or refuses it with 503. */
  readonly gate: Hook;
  /** The write route's `preParsing` hook after `gate`: cuts with 408 a write whose body is late (http/body-deadline.ts). */
  readonly bodyDeadline: PayloadHook;
  /** A delivery route's `preParsing` hook (after authentication): counts the delivery until its answer is handed over. */
  readonly delivery: Hook;
  /** Counters for tests and /metrics-style reading. */
  stats(): AdmissionStats;
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

/**
 * Whose share a write counts against: a person's account (its devices together: registering one more
 * device must not buy more slots) or a toy. null only for a request no auth hook identified, which a
 * write route never lets through to its `preParsing` hooks.
 */
function callerKey(request: FastifyRequest): string | null {
  // Undefined only on a request object Fastify did not build (admission.test.ts's fakes).
  const principal = request.principal as FastifyRequest['principal'] | undefined;
  if (principal === null || principal === undefined) return null;
  return principal.kind === 'toy' ? `toy:${principal.toyId}` : `account:${principal.accountId}`;
}

export function createAdmission(
  {
    maxInflightWrites,
    retryAfterSeconds,
    maxLagMs,
    maxInflightDeliveries = 0,
    maxDeliveryHoldMs = DEFAULT_DELIVERY_HOLD_MS,
    maxInflightWritesPerCaller = DEFAULT_WRITES_PER_CALLER,
    writeBodyTimeoutMs = DEFAULT_WRITE_BODY_TIMEOUT_MS,
  }: AdmissionConfig,
  lag: LagMonitor | null = maxLagMs > 0 ? eventLoopLag() : null,
): Admission {
  let inFlight = 0;
  let deliveries = 0;
  let refused = 0;
  let refusedForLag = 0;
  let refusedForDeliveries = 0;
  let refusedForCaller = 0;
  let refusedBeforeAuth = 0;
  let cutForSlowBody = 0;
  /** Slots held per caller (callerKey); a caller with none has no entry, so the map holds at most inFlight entries. */
  const byCaller = new Map<string, number>();
  /** Why a write would be refused now, or null when it would be admitted. */
  const reason = (): 'full' | 'lag' | 'deliveries' | null => {
    if (inFlight >= maxInflightWrites) return 'full';
    if (maxInflightDeliveries > 0 && deliveries >= maxInflightDeliveries) return 'deliveries';
    if (
      lag !== null &&
      maxLagMs > 0 &&
      inFlight >= MIN_INFLIGHT_FOR_LAG &&
      lag.lagMs() > maxLagMs &&
      lag.utilization() >= SATURATED_UTILIZATION
    )
      return 'lag';
    return null;
  };
  const refuse = (reply: FastifyReply, why: 'full' | 'lag' | 'deliveries' | 'caller'): Promise<void> => {
    refused += 1;
    if (why === 'lag') refusedForLag += 1;
    if (why === 'deliveries') refusedForDeliveries += 1;
    if (why === 'caller') refusedForCaller += 1;
    void reply.header('retry-after', String(retryAfterSeconds));
    const message =
      why === 'caller'
        ? `This account or toy already has ${String(maxInflightWritesPerCaller)} uploads and sends in progress; try again in ${String(retryAfterSeconds)} s.`
        : `The server is busy storing other messages; try again in ${String(retryAfterSeconds)} s.`;
    return Promise.reject(new AppError('unavailable', message));
  };
  /**
   * Runs `release` once, when the answer is handed over or the connection closes, whichever is first;
   * returns that once-only release for a caller that may end the hold sooner.
   */
  const onDone = (reply: FastifyReply, release: () => void): (() => void) => {
    let held = true;
    const once = (): void => {
      if (!held) return;
      held = false;
      release();
    };
    // 'close' follows both a finished response and a connection dropped mid-request.
    reply.raw.once('close', once);
    reply.raw.once('finish', once);
    return once;
  };
  return {
    precheck(_request, reply) {
      const why = reason();
      if (why === null) return Promise.resolve();
      refusedBeforeAuth += 1;
      return refuse(reply, why);
    },
    gate(request, reply) {
      const why = reason();
      if (why !== null) return refuse(reply, why);
      const caller = callerKey(request);
      const held = caller === null ? 0 : (byCaller.get(caller) ?? 0);
      if (held >= maxInflightWritesPerCaller) return refuse(reply, 'caller');
      inFlight += 1;
      if (caller !== null) byCaller.set(caller, held + 1);
      onDone(reply, () => {
        inFlight -= 1;
        if (caller === null) return;
        const left = (byCaller.get(caller) ?? 1) - 1;
        if (left > 0) byCaller.set(caller, left);
        else byCaller.delete(caller);
      });
      return Promise.resolve();
    },
    bodyDeadline: createBodyDeadline(writeBodyTimeoutMs, () => (cutForSlowBody += 1)),
    delivery(_request, reply) {
      deliveries += 1;
      let timer: NodeJS.Timeout | undefined = undefined;
      const release = onDone(reply, () => {
        clearTimeout(timer);
        deliveries -= 1;
      });
      // Counted for the node's own work only: a client holding its read open (a receipt's body sent
      // half, a download read slowly) stops counting after maxDeliveryHoldMs (admission-config.ts).
      timer = setTimeout(release, maxDeliveryHoldMs);
      timer.unref();
      return Promise.resolve();
    },
    stats: () => ({
      inFlight,
      refused,
      refusedForLag,
      refusedForDeliveries,
      refusedForCaller,
      refusedBeforeAuth,
      cutForSlowBody,
      deliveries,
      lagMs: lag?.lagMs() ?? 0,
    }),
    close: () => lag?.stop(),
  };
}
