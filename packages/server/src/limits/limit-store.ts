/**
 * Counters and blocks that every server node must see alike (issue #12): with one store per process,
 * a second node would double every limit. A fixed window starts at a key's first hit and ends
 * `windowMs` later, when the count restarts — the account throttle's and the rate limits' shape.
 * Adapters: memory-limit-store.ts (one node) and redis-limit-store.ts (BURROW_REDIS_URL).
 */

/** One counted hit. */
export interface LimitHit {
  /** Hits on the key in its current window, this one included. */
  readonly count: number;
  /** Milliseconds until the window ends and the count restarts (> 0). */
  readonly resetInMs: number;
}

export interface LimitStore {
  /** Counts a hit on `key` in its fixed window of `windowMs` (opened by the first hit). */
  hit(key: string, windowMs: number): Promise<LimitHit>;
  /** Forgets `key`'s count and block (a success that clears a throttle). */
  reset(key: string): Promise<void>;
  /**
   * Blocks `key` for `ms` from now, remembering `reason` (default `blocked`) for `blocked()`. A longer
   * block already in place is shortened: the last word wins.
   */
  block(key: string, ms: number, reason?: string): Promise<void>;
  /** Milliseconds `key` stays blocked; 0 when it is not. */
  blockedFor(key: string): Promise<number>;
  /** `key`'s block: milliseconds left (> 0) and the reason it was given; null when it is not blocked. */
  blocked(key: string): Promise<{ readonly ms: number; readonly reason: string } | null>;
  /** Releases connections (shutdown). */
  close(): Promise<void>;
}

/** Refuses keys and windows that no caller should pass (a bug, not bad input from a client). */
export function assertLimitArgs(key: string, ms: number): void {
  if (key === '') throw new RangeError('limit key must not be empty');
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`limit window must be a positive integer of ms, got ${String(ms)}`);
}
