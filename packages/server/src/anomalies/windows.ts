/**
 * In-memory sliding windows of distinct items per key (the read-volume detector's blob sets). Per
 * process: with several nodes each counts its own share (docs/operations.md); the event windows and
 * blocks are in the LimitStore, shared. Bounded: past `maxKeys` the oldest keys are forgotten first,
 * so a flood of distinct sources cannot grow memory without limit.
 */
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
