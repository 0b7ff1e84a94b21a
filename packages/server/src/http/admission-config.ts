/**
 * The admission limit's configuration section (composed by load-config.ts). A leaf: imports nothing
 * of ours.
 *
 * - BURROW_MAX_INFLIGHT_WRITES (default 256): durable writes (blob uploads and message sends) the
 *   node works on at once. One more is answered 503 with Retry-After at once instead of queueing
 *   behind the others (http/admission.ts).
 * - BURROW_WRITE_RETRY_AFTER_S (default 1): the Retry-After those 503s carry, in seconds.
 * - BURROW_MAX_EVENT_LOOP_LAG_MS (default 150; 0: off): once the node's event loop runs this late
 *   (CPU saturated) and at least MIN_INFLIGHT_FOR_LAG writes are in flight, a new write is refused
 *   the same way, even below the in-flight limit: what is already accepted keeps a bounded wait.
 * - BURROW_MAX_INFLIGHT_DELIVERIES (default 32; 0: off): the delivery side first. While this many
 *   deliveries (a toy's or device's inbox page, sync, blob download or receipt) are being answered,
 *   a new write is refused the same way: messages already accepted reach their recipients before
 *   the node takes more (issue #11: past saturation, accepted messages reached the toy seconds late).
 * - BURROW_MAX_DELIVERY_HOLD_MS (default 2000): how long one delivery counts at most. A delivery whose
 *   client holds it open (a receipt's body sent half, a download read slowly) stops counting then,
 *   so no client can pause the node's writes for longer by holding its reads open.
 * - BURROW_MAX_INFLIGHT_WRITES_PER_CALLER (default 8): the write slots one caller holds at most: a
 *   person's account (all of its devices together) or a toy. One more of its writes is refused with
 *   the same 503, while other callers are still admitted: no one signed-in client can take the node's
 *   slots (issue #11: 256 half-sent uploads from one device paused every family's sends).
 * - BURROW_WRITE_BODY_TIMEOUT_MS (default 30000): how long an admitted write may take to send its
 *   body. One still arriving then is answered 408 `request_timeout`, its connection closed and its
 *   slot freed; nothing of it is stored (http/body-deadline.ts).
 * - BURROW_REQUEST_TIMEOUT_MS (default 300000, at least the write body deadline): how long any request
 *   may take to arrive, headers and body, on every route. One still arriving then is answered 408
 *   `request_timeout` and its connection closed (http/client-errors.ts): the backstop for routes
 *   without a deadline of their own, which Fastify leaves without any (it sets Node's to 0).
 */

export interface AdmissionConfig {
  readonly maxInflightWrites: number;
  readonly retryAfterSeconds: number;
  /** Event-loop lag (ms) past which new writes are refused while enough are in flight; 0: off. */
  readonly maxLagMs: number;
  /** Deliveries being answered at which new writes are refused (reads first); 0 or absent: off. */
  readonly maxInflightDeliveries?: number;
  /** How long (ms) one delivery counts at most, however long its client holds it open; absent: DEFAULT_DELIVERY_HOLD_MS. */
  readonly maxDeliveryHoldMs?: number;
  /** Write slots one caller (an account's devices together, or a toy) holds at most; absent: DEFAULT_WRITES_PER_CALLER. */
  readonly maxInflightWritesPerCaller?: number;
  /** How long (ms) an admitted write's body may take to arrive; absent: DEFAULT_WRITE_BODY_TIMEOUT_MS. */
  readonly writeBodyTimeoutMs?: number;
  /** How long (ms) any request may take to arrive, headers and body; absent: DEFAULT_REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs?: number;
}

/**
 * A delivery the node works on is answered in milliseconds; one still open after 2 s is waiting for
 * its client, not for the node's CPU, and giving it priority over writes would only let a client
 * that holds reads open (32 half-sent receipts) pause every family's sends on the node.
 */
export const DEFAULT_DELIVERY_HOLD_MS = 2000;

/**
 * 8 write slots per caller. The apps send one message at a time, its upload and then its send
 * (packages/client kem-directory.ts), so a caller has one or two writes in flight; 8 leaves room for a
 * person's phone, tablet and browser sending at once, and for their retries. A person's devices share
 * their account's share: a device costs nothing to register, so a share per device would let one
 * account multiply it. At 256 node slots, 32 callers are needed to fill the node, and each holds a
 * slot for the body deadline at most.
 */
export const DEFAULT_WRITES_PER_CALLER = 8;

/**
 * 30 s for a write's body to arrive: the largest upload (2 MiB, BLOB_BODY_LIMIT) needs 0.56 Mbit/s
 * for it, under the upstream of a basic ADSL line (0.8-1 Mbit/s); a minute of voice as the web app
 * records it (Opus at 32 kbit/s, web/src/shared/recorder.ts: ~240 KB sealed) needs 64 kbit/s. Longer
 * only lengthens how long a client that sends slowly on purpose holds its slots; shorter starts to
 * cut real uploads on poor mobile links.
 */
export const DEFAULT_WRITE_BODY_TIMEOUT_MS = 30_000;

/**
 * 300 s for any request to arrive: Node's own default (which Fastify turns off). The largest body a
 * route takes is an operator's update bundle (64 MiB, updates/routes.ts): 1.8 Mbit/s in that time.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/**
 * Writes in flight below which the lag limit does not refuse: a node with few writes is not saturated
 * by them, and refusing those would not take the lag away (a slow machine, a maintenance job).
 */
export const MIN_INFLIGHT_FOR_LAG = 16;

/**
 * 256 writes in flight: a message is two (upload, send), so 128 messages wait at most for the group
 * commits ahead of them — about 0.5 s at the few hundred durable writes per second one node manages
 * (docs/performance.md) — while a burst of that size from many devices is still taken whole.
 */
// 150 ms of lag: the loop is then saturated, not merely busy (a request's own work is a few ms), and
// every write accepted past that point would only wait longer; issue #11 asks a bounded p99 past saturation.
// 32 deliveries being answered: on a node keeping up, a read is answered in a few ms, so even a
// thousand a second keep only a handful in flight (Little's law); 32 means reads are queueing behind
// writes, and the node should finish delivering what it accepted before it accepts more.
export const defaultAdmission: AdmissionConfig = Object.freeze({
  maxInflightWrites: 256,
  retryAfterSeconds: 1,
  maxLagMs: 150,
  maxInflightDeliveries: 32,
  maxDeliveryHoldMs: DEFAULT_DELIVERY_HOLD_MS,
  maxInflightWritesPerCaller: DEFAULT_WRITES_PER_CALLER,
  writeBodyTimeoutMs: DEFAULT_WRITE_BODY_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
});

/** A bad admission setting; load-config.ts turns it into a ConfigError. */
export class AdmissionConfigError extends Error {}

/**
 * Reads BURROW_MAX_INFLIGHT_WRITES, BURROW_WRITE_RETRY_AFTER_S, BURROW_MAX_EVENT_LOOP_LAG_MS,
 * BURROW_MAX_INFLIGHT_DELIVERIES, BURROW_MAX_DELIVERY_HOLD_MS, BURROW_MAX_INFLIGHT_WRITES_PER_CALLER,
 * BURROW_WRITE_BODY_TIMEOUT_MS and BURROW_REQUEST_TIMEOUT_MS.
 */
export function parseAdmissionConfig(env: NodeJS.ProcessEnv): AdmissionConfig {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name]?.trim();
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new AdmissionConfigError(`${name} must be an integer from ${String(min)} to ${String(max)}.`);
    return n;
  };
  // At least 1 s: a shorter deadline cuts ordinary uploads on any real link.
  const writeBodyTimeoutMs = read('BURROW_WRITE_BODY_TIMEOUT_MS', DEFAULT_WRITE_BODY_TIMEOUT_MS, 1000, 600_000);
  const requestTimeoutMs = read('BURROW_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1000, 3_600_000);
  // Shorter, it would cut an upload the write deadline still allows, before that deadline's own answer.
  if (requestTimeoutMs < writeBodyTimeoutMs)
    throw new AdmissionConfigError('BURROW_REQUEST_TIMEOUT_MS must be at least BURROW_WRITE_BODY_TIMEOUT_MS.');
  return Object.freeze({
    maxInflightWrites: read('BURROW_MAX_INFLIGHT_WRITES', defaultAdmission.maxInflightWrites, 1, 100_000),
    retryAfterSeconds: read('BURROW_WRITE_RETRY_AFTER_S', defaultAdmission.retryAfterSeconds, 1, 3600),
    maxLagMs: read('BURROW_MAX_EVENT_LOOP_LAG_MS', defaultAdmission.maxLagMs, 0, 60_000),
    maxInflightDeliveries: read('BURROW_MAX_INFLIGHT_DELIVERIES', defaultAdmission.maxInflightDeliveries ?? 0, 0, 100_000),
    maxDeliveryHoldMs: read('BURROW_MAX_DELIVERY_HOLD_MS', defaultAdmission.maxDeliveryHoldMs ?? DEFAULT_DELIVERY_HOLD_MS, 1, 600_000),
    // No 0 for "off": a node without a per-caller share is the one this setting exists against; an
    // operator who wants none sets it to BURROW_MAX_INFLIGHT_WRITES.
    maxInflightWritesPerCaller: read('BURROW_MAX_INFLIGHT_WRITES_PER_CALLER', DEFAULT_WRITES_PER_CALLER, 1, 100_000),
    writeBodyTimeoutMs,
    requestTimeoutMs,
  });
}
