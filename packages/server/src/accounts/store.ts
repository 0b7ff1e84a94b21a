/**
 * Account rows other capabilities make (STYLE.md 13): canary planting (tripwires/plant.ts) makes its
 * accounts and their sign-in browsers through these functions, the same ones sign-up uses, so a
 * canary account's rows cannot differ from a person's by a column or a hash format.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { AccountEmails } from './email-store.js';
import { describeUserAgent } from './user-agent.js';

/** How a browser is remembered: SHA-256 hex of the account id, the browser's label and its user agent. */
export function browserHash(accountId: string, userAgent: string | null): string {
  return createHash('sha256')
    .update(`${accountId}\0${describeUserAgent(userAgent).label}\0${userAgent ?? ''}`)
    .digest('hex');
}

/** Stores a new account, its address sealed (fails on the unique blind index when the address is taken). */
export async function insertAccount(
  db: Db,
  emails: AccountEmails,
  account: { id: string; email: string; passwordHash: string; pepperId: string | null; createdAt: number; emailVerifiedAt: number | null },
): Promise<void> {
  await db
    .insertInto('accounts')
    .values({
      id: account.id,
      ...emails.columnsOf(account.id, account.email),
      password_hash: account.passwordHash,
      pepper_id: account.pepperId,
      created_at: account.createdAt,
      email_verified_at: account.emailVerifiedAt,
    })
    .execute();
}

/** Remembers a browser the account signed in from (once). */
export async function rememberBrowser(db: Db, accountId: string, hash: string, firstSeenAt: number): Promise<void> {
  await db
    .insertInto('sign_in_browsers')
    .values({ account_id: accountId, browser_hash: hash, first_seen_at: firstSeenAt })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Deletes the account row and the browsers it signed in from (account deletion, erasure/). The
 * other capabilities' rows of the account are deleted by their owners first, in the same transaction.
 */
export async function deleteAccountRow(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('sign_in_browsers').where('account_id', '=', accountId).execute();
  await db.deleteFrom('accounts').where('id', '=', accountId).execute();
}
