/**
 * A one-off claimed job (not a periodic one) whose claim may fail: the database not answering when
 * the node starts must not cost the job until the node's next start. A claim that fails is tried
 * again after CLAIM_RETRY_FIRST_MS, doubling up to CLAIM_RETRY_MAX_MS, as the maintenance and backup
 * schedules do with theirs. Only the claim is retried: once claimed, a job that fails has its period
 * taken, so trying it again here would only be told another run holds it.
 */
import { CLAIM_RETRY_FIRST_MS, CLAIM_RETRY_MAX_MS, type LeaseOutcome, type Leases } from './leases.js';

export interface RetriedClaim<T> {
  /**
   * Settles once a claim was answered: with the job's value (claimed here), `{ ran: false }` (another
   * node holds the period, or stop() came first), or the job's own error.
   */
  readonly outcome: Promise<LeaseOutcome<T>>;
  /** Claims that failed so far (each tried again later). */
  failures(): number;
  /** No further tries; a pending outcome settles as not run. */
  stop(): void;
}

export interface RetryOptions {
  /** The first wait after a failed claim (default CLAIM_RETRY_FIRST_MS); doubles up to CLAIM_RETRY_MAX_MS. */
  readonly retryMs?: number;
  /** Told of each failed claim and when the next try is (the caller logs it). */
  readonly onClaimFailed?: (err: unknown, retryInMs: number) => void;
}

/** Claims `job` and runs `fn` as Leases.once does, trying a claim that failed again until one is answered. */
export function onceRetryingClaim<T>(leases: Leases, job: string, gapMs: number, fn: () => Promise<T>, options: RetryOptions = {}): RetriedClaim<T> {
  let waitMs = options.retryMs ?? CLAIM_RETRY_FIRST_MS;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let settle: (outcome: LeaseOutcome<T>) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const outcome = new Promise<LeaseOutcome<T>>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const attempt = (): void => {
    timer = null;
    if (stopped) return;
    // The job's own failure is told apart from the claim's: only the claim is tried again.
    let jobFailed: { err: unknown } | null = null;
    leases
      .once(job, gapMs, async () => {
        try {
          return await fn();
        } catch (err) {
          jobFailed = { err };
          throw err;
        }
      })
      .then(settle, (err: unknown) => {
        if (jobFailed) {
          fail(jobFailed.err);
          return;
        }
        failures++;
        if (stopped) {
          settle({ ran: false });
          return;
        }
        options.onClaimFailed?.(err, waitMs);
        timer = setTimeout(attempt, waitMs);
        timer.unref();
        waitMs = Math.min(waitMs * 2, CLAIM_RETRY_MAX_MS);
      });
  };
  attempt();

  return {
    outcome,
    failures: () => failures,
    stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
        settle({ ran: false });
      }
    },
  };
}
