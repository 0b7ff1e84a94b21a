/** The LimitStore of a single node: counters in this process's memory (the default). */
import { systemClock, type Clock } from '../clock/index.js';
import { assertLimitArgs, type LimitStore } from './limit-store.js';

/** Expired entries are swept every this many calls, so idle keys do not pile up. */
const SWEEP_EVERY = 1000;

/** Runs `fn` as a promise, so a refused argument rejects as it does with Redis instead of throwing. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Counters in this process; `clock` decides when windows and blocks end. Past `maxKeys` windows the
 * oldest is forgotten first, so a flood of distinct keys (addresses) cannot grow memory without limit.
 */
export function createMemoryLimitStore(clock: Clock = systemClock, maxKeys = 100_000): LimitStore {
  const windows = new Map<string, { count: number; endsAt: number }>();
  const blocks = new Map<string, { until: number; reason: string }>();
  let calls = 0;

  const sweep = (now: number): void => {
    if (++calls % SWEEP_EVERY !== 0) return;
    for (const [key, w] of windows) if (w.endsAt <= now) windows.delete(key);
    for (const [key, b] of blocks) if (b.until <= now) blocks.delete(key);
  };

  return {
    hit: (key, windowMs) =>
      settle(() => {
        assertLimitArgs(key, windowMs);
        const now = clock.now();
        sweep(now);
        let w = windows.get(key);
        if (!w || w.endsAt <= now) {
          windows.delete(key);
          windows.set(key, (w = { count: 0, endsAt: now + windowMs }));
          if (windows.size > maxKeys) {
            const oldest = windows.keys().next().value;
            if (oldest !== undefined) windows.delete(oldest);
          }
        }
        w.count++;
        return { count: w.count, resetInMs: w.endsAt - now };
      }),
    reset(key) {
      windows.delete(key);
      blocks.delete(key);
      return Promise.resolve();
    },
    block: (key, ms, reason = 'blocked') =>
      settle(() => {
        assertLimitArgs(key, ms);
        blocks.set(key, { until: clock.now() + ms, reason });
      }),
    blockedFor(key) {
      const b = blocks.get(key);
      return Promise.resolve(b === undefined ? 0 : Math.max(0, b.until - clock.now()));
    },
    blocked(key) {
      const b = blocks.get(key);
      const ms = b === undefined ? 0 : b.until - clock.now();
      return Promise.resolve(b !== undefined && ms > 0 ? { ms, reason: b.reason } : null);
    },
    close: () => Promise.resolve(),
  };
}
