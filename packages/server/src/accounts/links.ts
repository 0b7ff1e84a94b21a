/**
 * Links mailed to an account: email verification (24 h) and password reset (1 h). Each link holds a
 * random token (`bl_` + 32 bytes); only its SHA-256 is stored, bound to one account and one purpose,
 * and redeemed with a single conditional UPDATE, so it works exactly once and never after expiry.
 * The link puts the token in the URL fragment (`#`), which browsers send to no server and no
 * Referer. The one owner of the `account_links` table: verification.ts and recovery/ go through it.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { CoreConfig } from '../config.js';
import type { AccountLinkPurpose, Db } from '../db/index.js';
import { badRequest } from '../errors/index.js';
import type { Credentials } from './credentials.js';
import type { RequestMeta } from './request-meta.js';
import { throttleKey } from './throttle.js';

export const LINK_PREFIX = 'bl_';
export const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

/** Web app pages the links open (they POST the fragment's token to the API). */
export const VERIFY_PATH = '/verify-email';
export const RESET_PATH = '/reset-password';

const LIFETIME: Record<AccountLinkPurpose, { ttl: number; path: string }> = {
  verify_email: { ttl: VERIFY_TTL_MS, path: VERIFY_PATH },
  reset_password: { ttl: RESET_TTL_MS, path: RESET_PATH },
};

const TOKEN = /^bl_[A-Za-z0-9_-]{43}$/;
const BAD_LINK = 'This link is not valid: it was already used, has expired, or was mistyped. Ask for a new one.';

/** Where mailed links point: BURROW_PUBLIC_URL, else this server on localhost (never the Host header). */
export function linkOrigin(config: CoreConfig): string {
  return config.accountSecurity.publicUrl ?? `${config.tls ? 'https' : 'http'}://localhost:${config.port}`;
}

export interface AccountLinks {
  /** Stores a new link of this purpose for the account; returns the URL to mail. */
  issue(accountId: string, purpose: AccountLinkPurpose): Promise<string>;
  /**
   * Marks the link used if it is unused, unexpired and of this purpose, and returns its account;
   * otherwise a 400 that counts against the caller's address in the throttle.
   */
  redeem(token: string, purpose: AccountLinkPurpose, meta: RequestMeta): Promise<string>;
  /** The account a well-formed token was issued to (whatever its state); spends nothing. */
  peek(token: string): Promise<{ accountId: string; email: string } | undefined>;
  /** Spends every unused reset link of the account (a new password was just set). */
  endResets(accountId: string): Promise<void>;
}

export function createAccountLinks({
  db,
  clock,
  credentials: { throttle, rules, emails },
  origin,
}: {
  db: Db;
  clock: Clock;
  credentials: Pick<Credentials, 'throttle' | 'rules' | 'emails'>;
  /** The origin links point at, e.g. https://burrow.example.org (linkOrigin). */
  origin: string;
}): AccountLinks {
  return {
    async issue(accountId, purpose) {
      const { ttl, path } = LIFETIME[purpose];
      const token = LINK_PREFIX + randomBytes(32).toString('base64url');
      const now = clock.now();
      await db
        .insertInto('account_links')
        .values({ token_hash: hashToken(token), account_id: accountId, purpose, created_at: now, expires_at: now + ttl, used_at: null })
        .execute();
      return `${origin}${path}#token=${token}`;
    },

    async redeem(token, purpose, meta) {
      const addressKey = throttleKey('link-address', meta.ip, rules.address);
      await throttle.check([addressKey]);
      const now = clock.now();
      const row = TOKEN.test(token)
        ? await db
            .updateTable('account_links')
            .set({ used_at: now })
            .where('token_hash', '=', hashToken(token))
            .where('purpose', '=', purpose)
            .where('used_at', 'is', null)
            .where('expires_at', '>', now)
            .returning('account_id')
            .executeTakeFirst()
        : undefined;
      if (!row) {
        await throttle.fail([addressKey]);
        throw badRequest('link_invalid', BAD_LINK);
      }
      return row.account_id;
    },

    async peek(token) {
      if (!TOKEN.test(token)) return undefined;
      const row = await db
        .selectFrom('account_links')
        .innerJoin('accounts', 'accounts.id', 'account_links.account_id')
        .select(['accounts.id', 'accounts.email_index', 'accounts.email_ciphertext'])
        .where('account_links.token_hash', '=', hashToken(token))
        .executeTakeFirst();
      return row && { accountId: row.id, email: emails.open(row) };
    },

    async endResets(accountId) {
      await db
        .updateTable('account_links')
        .set({ used_at: clock.now() })
        .where('account_id', '=', accountId)
        .where('purpose', '=', 'reset_password')
        .where('used_at', 'is', null)
        .execute();
    },
  };
}

/**
 * Deletes up to `limit` mailed links past their expiry (used or not: past it they open nothing);
 * returns how many. The daily maintenance (maintenance/) calls it in batches.
 */
export async function deleteExpiredLinks(db: Db, now: number, limit: number): Promise<number> {
  const expired = db.selectFrom('account_links').select('token_hash').where('expires_at', '<=', now).limit(limit);
  const result = await db.deleteFrom('account_links').where('token_hash', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes every mailed link of an account, used or not (account deletion, erasure/). */
export async function deleteLinksOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('account_links').where('account_id', '=', accountId).execute();
}
