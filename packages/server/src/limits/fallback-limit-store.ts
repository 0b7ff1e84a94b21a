/**
 * A LimitStore that asks the shared store (Redis) and, while that fails, this process's memory: the
 * anomaly windows and blocks then hold per node for the outage — loosened, never gone, and never a
 * 500 or a refused request because Redis is down. Logs once when the outage starts and once when the
 * shared store is back. Argument errors (RangeError: a caller's bug) are not outages: they reject.
 */
import type { LimitStore } from './limit-store.js';

/** What the store logs (a pino Logger fits). */
export interface FallbackLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function limitStoreWithFallback(shared: LimitStore, fallback: LimitStore, log: FallbackLog): LimitStore {
  let degraded = false;
  async function attempt<T>(op: (store: LimitStore) => Promise<T>): Promise<T> {
    try {
      const value = await op(shared);
      if (degraded) log.info({}, 'limits: shared anomaly windows and blocks are back');
      degraded = false;
      return value;
    } catch (err) {
      if (err instanceof RangeError) throw err;
      if (!degraded)
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'limits: shared anomaly windows and blocks unavailable; each node counts alone until they are back');
      degraded = true;
      return op(fallback);
    }
  }
  return {
    hit: (key, windowMs) => attempt((s) => s.hit(key, windowMs)),
    reset: (key) => attempt((s) => s.reset(key)),
    block: (key, ms, reason) => attempt((s) => s.block(key, ms, reason)),
    blockedFor: (key) => attempt((s) => s.blockedFor(key)),
    blocked: (key) => attempt((s) => s.blocked(key)),
    async close() {
      await Promise.all([shared.close(), fallback.close()]);
    },
  };
}
