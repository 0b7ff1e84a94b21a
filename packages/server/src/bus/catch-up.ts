/**
 * What a node does after its NATS link was down: events published meanwhile were lost (core NATS
 * keeps nothing for a subscriber that is away, and the client drops what it could not send), so
 * every device whose stream this node holds is woken once to read again by cursor. The wake-ups are
 * events the clients already answer with a full read (headless and browser toys sync on `roster`;
 * family devices reload the family and sync messages on `roster`, the toys list with its presence on
 * `toys`, reviews and receipts on `review`): no client needs to know about outages. The database is
 * the truth, so a wake-up with no news costs one read and loses nothing.
 */
import type { StreamEvent } from './bus.js';

/** The wake-ups that make a stream subscribed to `topic` read everything it may have missed. */
export function catchUpEvents(topic: string): StreamEvent[] {
  // A device's own topic: its stream re-reads its families (a join it missed) and the client syncs.
  if (topic.startsWith('device:')) return [{ type: 'roster', familyId: '', version: 0 }];
  if (topic.startsWith('family:')) {
    const familyId = topic.slice('family:'.length);
    return [
      { type: 'toys', familyId },
      { type: 'review', familyId, messageId: '', state: 'waiting' },
    ];
  }
  return [];
}

/** Topics woken per slice, and the pause between slices: 100k streams are woken over ~10 s, not at once. */
export const CATCH_UP_SLICE = 1000;
export const CATCH_UP_PAUSE_MS = 100;

/** How a run waits between slices: resolves after `ms` (a timer by default; tests pass their own clock). */
export type CatchUpPause = (ms: number) => Promise<void>;

/**
 * Wakes every topic in `topics()` with its catch-up events, a slice at a time, through `deliver`.
 * A run starts one pause after the request that began it, so requests that come together make one
 * run; requests that come while one runs are folded into one more run after it (it may have passed
 * a topic subscribed since). So however many nodes ask at once, each stream is woken once or twice.
 */
export function createCatchUp(
  topics: () => Iterable<string>,
  deliver: (topic: string, event: StreamEvent) => void,
  options: { pause?: CatchUpPause } = {},
): {
  request(): void;
  /** Runs finished so far (tests and logs). */
  runs(): number;
  stop(): void;
} {
  let running = false;
  let again = false;
  let stopped = false;
  let runs = 0;
  let timer: NodeJS.Timeout | null = null;
  let wake: () => void = () => undefined;
  const pause =
    options.pause ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
        timer.unref();
      }));
  const run = async (): Promise<void> => {
    running = true;
    do {
      // One pause before reading the topics: the requests of a burst (every node asks once after a
      // NATS restart) that come within it are answered by this run, not by one run each.
      await pause(CATCH_UP_PAUSE_MS);
      again = false;
      if (stopped) break;
      const all = [...topics()];
      for (let i = 0; i < all.length && !stopped; i += CATCH_UP_SLICE) {
        if (i > 0) await pause(CATCH_UP_PAUSE_MS);
        if (stopped) break;
        for (const topic of all.slice(i, i + CATCH_UP_SLICE)) for (const event of catchUpEvents(topic)) deliver(topic, event);
      }
      if (!stopped) runs++;
    } while (again && !stopped);
    running = false;
  };
  return {
    request() {
      if (stopped) return;
      if (running) again = true;
      else void run();
    },
    runs: () => runs,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A run waiting between slices ends now rather than hanging on a cleared timer.
      wake();
    },
  };
}
