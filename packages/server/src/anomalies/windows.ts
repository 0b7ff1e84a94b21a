/**
 * In-memory sliding windows: event counts per key, distinct items per key, and blocks with an
 * expiry. Per process: with several server nodes each counts its own share (docs/operations.md).
 * Bounded: past `maxKeys` the oldest keys are forgotten first, so a flood of distinct addresses
 * cannot grow memory without limit.
 */
export class SlidingCounter {
  private readonly events = new Map<string, number[]>();
  constructor(private readonly maxKeys = 50_000) {}

  /** Adds one event at `now`; returns the count within the window and when the oldest counted one was. */
  add(key: string, now: number, windowMs: number): { count: number; first: number } {
    const kept = (this.events.get(key) ?? []).filter((t) => now - t < windowMs);
    kept.push(now);
    this.events.delete(key);
    this.events.set(key, kept);
    this.evict();
    return { count: kept.length, first: kept[0] ?? now };
  }

  private evict(): void {
    while (this.events.size > this.maxKeys) {
      const oldest = this.events.keys().next().value;
      if (oldest === undefined) return;
      this.events.delete(oldest);
    }
  }
}

export class DistinctCounter {
  private readonly items = new Map<string, Map<string, number>>();
  constructor(private readonly maxKeys = 50_000) {}

  /** Records `item` for `key` at `now`; returns how many distinct items were seen within the window. */
  add(key: string, item: string, now: number, windowMs: number): { count: number; first: number } {
    const seen = this.items.get(key) ?? new Map<string, number>();
    for (const [i, t] of seen) if (now - t >= windowMs) seen.delete(i);
    seen.set(item, now);
    this.items.delete(key);
    this.items.set(key, seen);
    while (this.items.size > this.maxKeys) {
      const oldest = this.items.keys().next().value;
      if (oldest === undefined) break;
      this.items.delete(oldest);
    }
    return { count: seen.size, first: Math.min(...seen.values()) };
  }
}

export class Blocks<Reason> {
  private readonly until = new Map<string, { until: number; reason: Reason }>();
  block(key: string, until: number, reason: Reason): void {
    const had = this.until.get(key);
    this.until.set(key, { until: Math.max(until, had?.until ?? 0), reason });
  }
  /** Seconds left on the key's block and why it was blocked, or null. */
  check(key: string, now: number): { seconds: number; reason: Reason } | null {
    const b = this.until.get(key);
    if (b === undefined) return null;
    if (b.until <= now) {
      this.until.delete(key);
      return null;
    }
    return { seconds: Math.max(1, Math.ceil((b.until - now) / 1000)), reason: b.reason };
  }
}
