/**
 * Online-guessing limits (NIST SP 800-63B rev. 4 §3.2.2, OWASP ASVS 2.2.1), kept in the database so
 * every server node sees the same counts. Each failure is counted under one or more keys — the
 * client address, the email address tried (whether or not it has an account, so the answer never
 * reveals which emails exist) — and, past a few free tries, each new failure blocks that key for a
 * doubling delay (1 s, 2 s, 4 s … capped). While a key is blocked the attempt is refused with 429
 * and `Retry-After` *before* any password is checked, so guessing during a block cannot succeed.
 *
 * A block is never permanent: it expires after its delay, and a key's count restarts `windowMs`
 * after its first failure. A successful sign-in or password reset clears the account's key (never
 * the address's, so signing in to one's own account does not buy an attacker fresh guesses).
 * Keys are stored as a keyed HMAC under a key derived from the pepper (AccountEmails.throttleKeyOf,
 * email-store.ts), so the table holds no email or address in clear, and a dump of it is no dictionary
 * target: without the pepper an address cannot be tested against it (plain SHA-256 could be).
 */
import type { FastifyReply } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import type { AccountEmails } from './email-store.js';
import { AppError } from '../errors/index.js';

export interface ThrottleRule {
  /** Failures allowed before delays start. */
  readonly free: number;
  /** Delay after the first failure past the free ones; doubles with each further failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The count restarts this long after the first failure of a run. */
  readonly windowMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Per account: 5 free, then 1 s doubling to 15 min — about 110 guesses a day at most (NIST's bar:
 * no more than 100 consecutive failures without other means). Per address: 20 free, to 1 hour.
 */
export const defaultThrottleRules = Object.freeze({
  account: Object.freeze({ free: 5, baseDelayMs: SECOND, maxDelayMs: 15 * MINUTE, windowMs: 24 * HOUR }),
  address: Object.freeze({ free: 20, baseDelayMs: SECOND, maxDelayMs: HOUR, windowMs: 24 * HOUR }),
  /** Reset and verification mails asked for one email address. */
  mail: Object.freeze({ free: 3, baseDelayMs: 5 * MINUTE, maxDelayMs: HOUR, windowMs: 24 * HOUR }),
});

export type ThrottleRules = typeof defaultThrottleRules;

export interface ThrottleKey {
  /** `<kind>\0<value>`: held in memory only; the throttle stores its keyed HMAC. */
  key: string;
  rule: ThrottleRule;
}

/** A 429 that carries how long to wait; `sendRetryAfter` puts it on the reply. */
export class ThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `Too many attempts. Try again in ${describeWait(retryAfterSeconds)}.`, {
      reason: 'too_many_attempts',
      params: { seconds: retryAfterSeconds },
    });
  }
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/**
 * Runs `fn`; if it is refused by a throttle (429) or a busy lane such as password scoring (503, any
 * AppError carrying `retryAfterSeconds`), the reply carries `Retry-After` (RFC 9110 §10.2.3).
 */
export async function withRetryAfter<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const wait = err instanceof AppError ? (err as { retryAfterSeconds?: unknown }).retryAfterSeconds : undefined;
    if (typeof wait === 'number') void reply.header('retry-after', String(wait));
    throw err;
  }
}

export function throttleKey(kind: string, value: string, rule: ThrottleRule): ThrottleKey {
  return { key: `${kind}\0${value}`, rule };
}

export interface Throttle {
  /** Throws ThrottledError (429) if any key is blocked now. */
  check(keys: ThrottleKey[]): Promise<void>;
  /** Counts one failure under each key, blocking those past their free tries. */
  fail(keys: ThrottleKey[]): Promise<void>;
  clear(key: ThrottleKey): Promise<void>;
}

export function createThrottle({ db, clock, emails }: { db: Db; clock: Clock; emails: Pick<AccountEmails, 'throttleKeyOf'> }): Throttle {
  const stored = (k: ThrottleKey): string => emails.throttleKeyOf(k.key);
  return {
    async check(keys) {
      if (keys.length === 0) return;
      const now = clock.now();
      const rows = await db
        .selectFrom('auth_throttle')
        .select(['blocked_until'])
        .where(
          'key',
          'in',
          keys.map(stored),
        )
        .where('blocked_until', '>', now)
        .execute();
      const until = Math.max(0, ...rows.map((r) => r.blocked_until));
      if (until > now) throw new ThrottledError(Math.max(1, Math.ceil((until - now) / 1000)));
    },

    async fail(keys) {
      const now = clock.now();
      for (const k of keys) {
        const { rule } = k;
        const key = stored(k);
        const row = await db
          .selectFrom('auth_throttle')
          .select(['failures', 'window_start'])
          .where('key', '=', key)
          .executeTakeFirst();
        const fresh = !row || now - row.window_start >= rule.windowMs;
        const failures = fresh ? 1 : row.failures + 1;
        const windowStart = fresh ? now : row.window_start;
        const over = failures - rule.free;
        const delay = over <= 0 ? 0 : Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(over - 1, 40));
        const values = { failures, window_start: windowStart, blocked_until: delay === 0 ? 0 : now + delay };
        await db
          .insertInto('auth_throttle')
          .values({ key, ...values })
          .onConflict((oc) => oc.column('key').doUpdateSet(values))
          .execute();
      }
    },

    async clear(k) {
      await db.deleteFrom('auth_throttle').where('key', '=', stored(k)).execute();
    },
  };
}

/** The longest window of the default rules: a row older than this (and unblocked) counts nothing. */
export const LONGEST_THROTTLE_WINDOW_MS = Math.max(...Object.values(defaultThrottleRules).map((r) => r.windowMs));

/**
 * Deletes up to `limit` throttle rows that no longer count: no block in force and the run's window
 * over, so `fail` would start afresh and `check` would pass, exactly as with no row. Returns how
 * many. The daily maintenance (maintenance/) calls it in batches.
 */
export async function deleteExpiredThrottleRows(
  db: Db,
  now: number,
  limit: number,
  windowMs: number = LONGEST_THROTTLE_WINDOW_MS,
): Promise<number> {
  const stale = db
    .selectFrom('auth_throttle')
    .select('key')
    .where('blocked_until', '<=', now)
    .where('window_start', '<=', now - windowMs)
    .limit(limit);
  const result = await db.deleteFrom('auth_throttle').where('key', 'in', stale).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes the guessing counters kept under an account's id or address (account deletion, erasure/):
 * their keys are derived from the address. Counters kept per client address are not the account's
 * and stay until they expire.
 */
export async function deleteThrottleRowsOf(
  db: Db,
  emails: Pick<AccountEmails, 'throttleKeyOf'>,
  account: { accountId: string; email: string },
): Promise<void> {
  const keys = [
    ['code-account', account.accountId],
    ['log-in-account', account.email],
    ['mail', account.email],
  ].map(([kind, value]) => emails.throttleKeyOf(`${String(kind)}\0${String(value)}`));
  await db.deleteFrom('auth_throttle').where('key', 'in', keys).execute();
}
