/**
 * Session records: opened at sign-up and sign-in, listed (browser, address, last use) and revoked
 * by their public id. A session ends at the first of its absolute expiry (30 days after sign-in)
 * and its idle expiry (7 days without use); auth/hooks.ts enforces both and records use at most
 * once a minute. Only SHA-256 of a token is stored. The one owner of the `sessions` table's rows
 * (auth/hooks.ts reads them to authenticate and records their use).
 */
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { notFound } from '../errors/index.js';
import { hashToken, newId, newSessionToken, SESSION_IDLE_MS } from '../auth/index.js';
import { describeUserAgent, keyPage, type IpPage } from '../accounts/index.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export { SESSION_IDLE_MS };

export interface Session {
  accountId: string;
  token: string;
  expiresAt: number;
}

export interface SessionView {
  sessionId: string;
  current: boolean;
  browser: string;
  system: string | null;
  ip: string | null;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

export interface SessionMeta {
  ip: string;
  userAgent: string | null;
}

export interface SessionStore {
  open(accountId: string, meta: SessionMeta): Promise<Session>;
  /** A well-formed session that opens nothing (nothing is stored): the answer to a sign-up with a taken email. */
  decoy(): Session;
  /** Ends the session with this token hash (signing out). */
  end(tokenHash: string): Promise<void>;
  list(accountId: string, currentHash: string): Promise<SessionView[]>;
  /** Revokes one of the account's sessions by id; 404 for an id that is not one of them. */
  revoke(accountId: string, sessionId: string): Promise<void>;
  /** Revokes every session of the account except `keepHash` (null: all); returns how many ended. */
  revokeAll(accountId: string, keepHash: string | null): Promise<number>;
}

export function createSessionStore({ db, clock }: { db: Db; clock: Clock }): SessionStore {
  return {
    async open(accountId, meta) {
      const token = newSessionToken();
      const now = clock.now();
      const expiresAt = now + SESSION_TTL_MS;
      await db
        .insertInto('sessions')
        .values({
          token_hash: hashToken(token),
          account_id: accountId,
          created_at: now,
          expires_at: expiresAt,
          id: newId(),
          last_used_at: now,
          ip: meta.ip,
          user_agent: meta.userAgent === null ? null : meta.userAgent.slice(0, 512),
        })
        .execute();
      return { accountId, token, expiresAt };
    },

    decoy: () => ({ accountId: newId(), token: newSessionToken(), expiresAt: clock.now() + SESSION_TTL_MS }),

    async end(tokenHash) {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },

    async list(accountId, currentHash) {
      const now = clock.now();
      const rows = await db
        .selectFrom('sessions')
        .select(['token_hash', 'id', 'ip', 'user_agent', 'created_at', 'last_used_at', 'expires_at'])
        .where('account_id', '=', accountId)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
      return rows
        .filter((r) => (r.last_used_at ?? r.created_at) + SESSION_IDLE_MS > now)
        .map((r) => {
          const ua = describeUserAgent(r.user_agent);
          return {
            // Sessions opened before ids existed are listed by a prefix of their hash (not a secret).
            sessionId: r.id ?? r.token_hash.slice(0, 22),
            current: r.token_hash === currentHash,
            browser: ua.browser,
            system: ua.system,
            ip: r.ip,
            createdAt: r.created_at,
            lastUsedAt: r.last_used_at ?? r.created_at,
            expiresAt: Math.min(r.expires_at, (r.last_used_at ?? r.created_at) + SESSION_IDLE_MS),
          };
        });
    },

    async revoke(accountId, sessionId) {
      const result = await db
        .deleteFrom('sessions')
        .where('account_id', '=', accountId)
        .where((eb) =>
          // A legacy session (no id) is named by the first 22 hex characters of its hash.
          /^[0-9a-f]{22}$/.test(sessionId)
            ? eb.or([eb('id', '=', sessionId), eb.and([eb('id', 'is', null), eb('token_hash', 'like', `${sessionId}%`)])])
            : eb('id', '=', sessionId),
        )
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound('session_not_found', 'No such session.');
    },

    async revokeAll(accountId, keepHash) {
      let q = db.deleteFrom('sessions').where('account_id', '=', accountId);
      if (keepHash !== null) q = q.where('token_hash', '!=', keepHash);
      const result = await q.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/**
 * Deletes up to `limit` sessions past their absolute or idle expiry (the same rules auth/hooks.ts
 * enforces, so no live session goes); returns how many. One short statement: the daily
 * maintenance (maintenance/) calls it in batches.
 */
export async function deleteExpiredSessions(db: Db, now: number, limit: number): Promise<number> {
  const expired = db
    .selectFrom('sessions')
    .select('token_hash')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', now),
        eb(eb.fn.coalesce('last_used_at', 'created_at'), '<=', now - SESSION_IDLE_MS),
      ]),
    )
    .limit(limit);
  const result = await db.deleteFrom('sessions').where('token_hash', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes every session of an account, the current one included (account deletion, erasure/). */
export async function deleteSessionsOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
}

/**
 * Each account's latest sign-in or session use, for many accounts in one statement (accounts with no
 * session are absent). The inactivity sweep asks it once per page of families instead of once per
 * family (inactivity/sweep.ts): at CloudPets ÷ 10 that was 90,000 statements a pass, each a
 * native call, a row iterator and its garbage (docs/performance.md, "The inactivity sweep's stall").
 */
export async function latestSessionUseByAccount(db: Db, accountIds: readonly string[]): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  if (accountIds.length === 0) return latest;
  const rows = await db
    .selectFrom('sessions')
    .select((eb) => ['account_id', eb.fn.max('created_at').as('created'), eb.fn.max('last_used_at').as('used')])
    .where('account_id', 'in', [...accountIds])
    .groupBy('account_id')
    .execute();
  for (const r of rows) {
    const values = [r.created, r.used].filter((v) => v !== null && v !== undefined).map(Number);
    if (values.length > 0) latest.set(r.account_id, Math.max(...values));
  }
  return latest;
}

/**
 * Fades (accounts/ip-fade.ts) the last-use address of sessions last used before `before()`: one page
 * of the daily maintenance's job (ipFadeJob), the next `limit` sessions by token hash. Sessions end
 * within 30 days (absolute) or 7 idle and the maintenance deletes them, so this rarely finds one; it
 * keeps the rule true whatever those periods become. A page is a range of the primary key: the
 * filter by age and address ran over the whole table in one statement (a scan at a million sessions).
 */
export function fadeSessionIps(db: Db, before: () => number): IpPage<string> {
  return keyPage(
    async (after, limit) => {
      const page = db.selectFrom('sessions').select(['token_hash as id', 'ip', 'created_at', 'last_used_at']).orderBy('token_hash').limit(limit);
      // From '' on the first page: a range of the key (SEARCH), which SQLite's plan says it is.
      return page.where('token_hash', '>', after ?? '').execute();
    },
    (row) => Number(row.last_used_at ?? row.created_at) < before(),
    (groups) =>
      db.transaction().execute(async (trx) => {
        for (const [ip, ids] of groups) await trx.updateTable('sessions').set({ ip }).where('token_hash', 'in', ids).execute();
      }),
  );
}
