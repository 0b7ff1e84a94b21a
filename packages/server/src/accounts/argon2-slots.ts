/**
 * argon2id in its own bounded lane. @node-rs/argon2 runs each hash on libuv's threadpool — the same
 * 4 threads that carry every fs call, so the blob writes and fsyncs of deliveries. A sign-in storm
 * (or one sign-up: 20 honeyword hashes at once) used to take all 4 threads for tens of ms each and
 * deliveries waited behind it (issue #11: delivery p99 ×1.7 quiet, ×58 loaded, at 20 logins/s).
 * At most ARGON2_SLOTS hashes run at once; the rest wait here, in order, so a storm queues logins and
 * leaves the other threads to the blob store.
 *
 * One lane per process on purpose: the threadpool it protects is per process too.
 */

/** Half of libuv's default pool (UV_THREADPOOL_SIZE = 4): the other half stays free for fs work. */
export const ARGON2_SLOTS = 2;

export interface Lane {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Running now and waiting now (tests, diagnostics). */
  load(): { running: number; waiting: number };
}

export function createLane(slots: number): Lane {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return {
    async run(work) {
      if (running < slots) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
    load: () => ({ running, waiting: waiting.length }),
  };
}

/** The process's argon2id lane: every password hash and check goes through it. */
export const argon2Lane: Lane = createLane(ARGON2_SLOTS);
