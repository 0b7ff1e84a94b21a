/**
 * Open-loop delivery latency: message i is due at t0 + i/rate whatever happened to the ones before
 * (so a slow system cannot slow its own load down), and its latency runs from that due time until
 * the receiver holds it. Messages not held within the drain time after the last one was due, or
 * refused when sent and not accepted on a retry by then, count as shed (so a p99 is over what arrived
 * in time, read with the shed count). A sender that retries after a refusal (Burrow's 503 +
 * Retry-After) keeps the message's first due time: its latency includes the wait it was told to take.
 */
import { percentile, sleep } from './stats.js';

export interface LatencyResult {
  sent: number;
  held: number;
  shed: number;
  /** Of the shed, those refused when sent (e.g. Burrow's 503 back-pressure) and never accepted by the deadline, not merely late. */
  refused: number;
  /** Of the held, those refused at least once and accepted on a retry (their latency includes the wait). */
  retried: number;
  p50Ms: number;
  /** Over every message held, retried ones included. */
  p99Ms: number;
  /** Over the messages held that were accepted when first sent (from their due time). */
  firstTryP99Ms: number;
  /** From the send's acknowledgment (its 201) until the toy holds it, over the messages whose acknowledgment was seen: the delivery side alone. */
  ackToHeldP99Ms: number;
}

/** Due times by id, and the latencies of what was held. */
export class Tracker {
  private readonly due = new Map<string, number>();
  readonly latencies: number[] = [];
  /** Latencies of the held messages that were never refused. */
  readonly firstTry: number[] = [];
  private readonly retriedIds = new Set<string>();
  private readonly ackedAt = new Map<string, number>();
  /** Acknowledgment to held, for the messages whose acknowledgment came first. */
  readonly ackToHeld: number[] = [];
  retriedCount = 0;
  private waiting: (() => void) | null = null;
  private closed = false;
  refusedCount = 0;

  expect(id: string, dueAt: number): void {
    this.due.set(id, dueAt);
  }

  held(id: string): void {
    if (this.closed) return; // after the drain deadline: it stays shed
    const dueAt = this.due.get(id);
    if (dueAt === undefined) return; // a late arrival from an earlier run, or a duplicate
    this.due.delete(id);
    const now = performance.now();
    const latency = now - dueAt;
    this.latencies.push(latency);
    // The toy can hold a message before its sender reads the 201 (the wake-up races the answer):
    // those have no acknowledgment-to-held time, which would be about zero.
    const acked = this.ackedAt.get(id);
    if (acked !== undefined) this.ackToHeld.push(now - acked);
    if (this.retriedIds.has(id)) this.retriedCount += 1;
    else this.firstTry.push(latency);
    if (this.due.size === 0) this.waiting?.();
  }

  /** The sender saw `id` acknowledged (both its upload and its send). */
  acknowledged(id: string): void {
    if (this.due.has(id)) this.ackedAt.set(id, performance.now());
  }

  /** The sender was refused once for `id` and will try again. */
  retrying(id: string): void {
    this.retriedIds.add(id);
  }

  /** Whether the measurement still runs (a retrying sender stops once it does not). */
  get open(): boolean {
    return !this.closed;
  }

  refused(id: string): void {
    if (this.due.delete(id)) this.refusedCount += 1;
    if (this.due.size === 0) this.waiting?.();
  }

  /** Ends the measurement: whatever arrives later is not counted. */
  close(): void {
    this.closed = true;
  }

  /** Resolves when nothing is outstanding, or after `ms`. */
  async drained(ms: number): Promise<void> {
    if (this.due.size === 0) return;
    await Promise.race([new Promise<void>((resolve) => (this.waiting = resolve)), sleep(ms)]);
    this.waiting = null;
  }
}

/**
 * Sends `ids.length` messages at `rate` per second with `send(i)` (true when acknowledged), the
 * receiver calling `tracker.held(id)`; waits up to `drainMs` after the last is due.
 */
export async function openLoop(
  rate: number,
  ids: readonly string[],
  send: (i: number) => Promise<boolean>,
  tracker: Tracker,
  drainMs: number,
): Promise<LatencyResult> {
  const interval = 1000 / rate;
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  for (let i = 0; i < ids.length; i++) {
    const dueAt = t0 + i * interval;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait);
    const id = ids[i]!;
    tracker.expect(id, dueAt);
    inFlight.push(
      send(i).then(
        (ok) => {
          if (!ok) tracker.refused(id);
        },
        () => tracker.refused(id),
      ),
    );
  }
  await tracker.drained(drainMs);
  tracker.close();
  // No request of this run outlives it: the next measurement starts on a server that has finished.
  await Promise.all(inFlight);
  const held = tracker.latencies.length;
  return {
    sent: ids.length, held, shed: ids.length - held, refused: tracker.refusedCount,
    retried: tracker.retriedCount,
    p50Ms: percentile(tracker.latencies, 50),
    p99Ms: percentile(tracker.latencies, 99),
    firstTryP99Ms: percentile(tracker.firstTry, 99),
    ackToHeldP99Ms: percentile(tracker.ackToHeld, 99),
  };
}
