/**
 * zxcvbn-ts scoring off the event loop. One check costs 150-600 ms of CPU; anyone may submit a
 * sign-up or a password reset, so on the main thread a few of them a second stalled every delivery
 * and socket of the node (issue #10, #11). Here the checks run one at a time on a single worker
 * thread (password-strength.worker.mjs): on two cores the other one stays with the event loop.
 *
 * - Started on the first check, not at boot: most processes (CLI commands, most tests) never score.
 * - unref'd while idle, so it never keeps a process alive; ref'd while a check waits on it.
 * - Bounded: at most `maxPending` checks queued or running. One more is refused at once with 503
 *   `unavailable` and Retry-After instead of queueing without end; it changed nothing, so the client
 *   may simply send it again.
 * - A worker that dies fails the checks it held (500: a bug, not the caller's fault) and the next
 *   check starts a fresh one.
 *
 * One worker per process on purpose, like the argon2 lane: the CPU it protects is the process's.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors/index.js';

/** What the policy reads of a zxcvbn-ts result. */
export interface Strength {
  score: number;
  warning: string | null;
  suggestions: string[];
}

export interface StrengthScorer {
  /** Scores a password (already normalised) against `inputs`; throws BusyError when the queue is full. */
  score(password: string, inputs: readonly string[]): Promise<Strength>;
  /** Checks queued or running now, and refused since start (tests, diagnostics). */
  load(): { pending: number; refused: number };
  /** Stops the worker; checks still pending fail. The next check starts a new one. */
  close(): Promise<void>;
}

/** At 150-600 ms each, 16 checks are a few seconds of wait at most. */
export const STRENGTH_MAX_PENDING = 16;
export const STRENGTH_RETRY_AFTER_S = 2;

/** A 503 that carries how long to wait; withRetryAfter (throttle.ts) puts it on the reply. */
export class BusyError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('unavailable', `The server is busy checking other passwords; try again in ${String(retryAfterSeconds)} s.`);
  }
}

// Resolved from this file's address: under tsx that is src/accounts/, and the production bundle
// keeps import.meta.url pointing at the source file (scripts/build-server.mjs), so both find it.
const WORKER_URL = new URL('./password-strength.worker.mjs', import.meta.url);

interface Waiting {
  resolve(strength: Strength): void;
  reject(err: Error): void;
}

type Reply = { id: number; error: string } | ({ id: number; error?: undefined } & Strength);

export function createStrengthScorer({
  maxPending = STRENGTH_MAX_PENDING,
  retryAfterSeconds = STRENGTH_RETRY_AFTER_S,
}: { maxPending?: number; retryAfterSeconds?: number } = {}): StrengthScorer {
  let worker: Worker | undefined;
  const pending = new Map<number, Waiting>();
  let nextId = 0;
  let refused = 0;

  const failAll = (err: Error): void => {
    for (const waiting of pending.values()) waiting.reject(err);
    pending.clear();
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_URL, {
      // None of the process's Node options: the worker is plain JavaScript and needs no loader, and
      // inherited options break it — `--input-type` (a production `node -e` start) makes it refuse
      // its file, and process-wide V8 flags such as `--expose-gc` (the delivery benchmark's server)
      // are refused in a worker.
      execArgv: [],
    });
    w.unref();
    w.on('message', (reply: Reply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.error !== undefined) waiting.reject(new Error(`password scoring failed: ${reply.error}`));
      else waiting.resolve({ score: reply.score, warning: reply.warning, suggestions: reply.suggestions });
    });
    const gone = (err: Error): void => {
      if (worker !== w) return;
      worker = undefined;
      failAll(err);
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the password scoring worker exited (code ${String(code)})`)));
    return w;
  };

  return {
    score(password, inputs) {
      if (pending.size >= maxPending) {
        refused += 1;
        return Promise.reject(new BusyError(retryAfterSeconds));
      }
      const w = (worker ??= start());
      const id = nextId++;
      const result = new Promise<Strength>((resolve, reject) => pending.set(id, { resolve, reject }));
      if (pending.size === 1) w.ref();
      w.postMessage({ id, password, inputs: [...inputs] });
      return result;
    },
    load: () => ({ pending: pending.size, refused }),
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new AppError('unavailable', 'The server is shutting down; try again in a moment.'));
      if (w) await w.terminate();
    },
  };
}

/** The process's scorer: every password policy uses it unless given another. */
export const passwordStrength: StrengthScorer = createStrengthScorer();
