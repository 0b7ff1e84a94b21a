/**
 * The one place that reads and writes an account's email address (docs/privacy.md "Email addresses
 * at rest"). The address is never stored in clear:
 *
 * - `accounts.email_ciphertext`: the normalised address sealed with XChaCha20-Poly1305 (@noble/ciphers)
 *   under a key derived from the server's pepper (HKDF-SHA-256, RFC 5869, label
 *   `burrow email at rest v1`), a random 24-byte nonce per seal, the account id as associated data
 *   (a ciphertext copied onto another account does not open);
 * - `accounts.email_index`: a keyed blind index, HMAC-SHA-256 (RFC 2104) of the normalised address
 *   under a second derived key (label `burrow email index v1`), hex. It finds an account by address
 *   with one HMAC per look-up and keeps addresses unique (the column's unique constraint).
 *
 * - `auth_throttle.key` (accounts/throttle.ts): a guessing counter kept under an address is found by
 *   HMAC-SHA-256 of `<kind>\0<value>` under a third derived key (label `burrow throttle key v1`), so
 *   the table is no dictionary target either.
 *
 * The pepper lives outside the database (BURROW_PEPPER, or `<data>/pepper` in development; pepper.ts),
 * so a dump of the database and its backups holds neither the addresses nor a way to test guesses.
 * Other capabilities get addresses only through the functions here (`emailOf`, `emailsOf`,
 * `findByEmail`), never by selecting the columns.
 */
import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Db } from '../db/index.js';
import { canonicalEmail } from './email.js';
import type { Logger } from 'pino';
import type { CoreConfig } from '../config.js';
import { resolvePepper, type Pepper } from './pepper.js';

const VERSION = 'e1';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The two stored columns of an address. */
export interface StoredEmail {
  email_index: string;
  email_ciphertext: string;
}

export interface AccountEmails {
  /** The blind index of an already-normalised address (one HMAC-SHA-256). */
  indexOf(email: string): string;
  /** Both columns for an account's (normalised) address: one HMAC and one seal. */
  columnsOf(accountId: string, email: string): StoredEmail;
  /**
   * Seals an account's address for another table that must remember where it wrote (an incident
   * notice's recipient): the same key, bound to the account id. `openSealed` opens it; a value that
   * is not a sealed address (a row from before sealing) is returned as it is.
   */
  seal(accountId: string, email: string): string;
  openSealed(accountId: string, stored: string): string;
  /** The stored key of a guessing counter (`<kind>\0<value>`, accounts/throttle.ts): keyed HMAC, hex. */
  throttleKeyOf(counter: string): string;
  /** Opens a row's address; a row from before migration 0830's conversion still holds it in clear in `email_index`. */
  open(row: { id: string; email_index: string; email_ciphertext: string | null }): string;
  /** The account with this (normalised) address, or undefined. */
  findByEmail(db: Db, email: string): Promise<{ id: string; email: string } | undefined>;
  /** The account's address, or undefined when there is no such account. */
  emailOf(db: Db, accountId: string): Promise<string | undefined>;
  /** Addresses of the accounts that exist among `accountIds` (any order; missing ones are absent). */
  emailsOf(db: Db, accountIds: readonly string[]): Promise<Map<string, string>>;
  /** Every account with its address, by id, `limit` at a time after `afterId` (incident scope "all"). */
  pageOfAll(db: Db, afterId: string | null, limit: number): Promise<{ id: string; email: string }[]>;
}

/** The AccountEmails of a configuration: its pepper (BURROW_PEPPER, or the data folder's file in development). */
export function accountEmailsOf(config: Pick<CoreConfig, 'dataDir' | 'production' | 'secrets'>, log?: Logger): AccountEmails {
  return createAccountEmails(resolvePepper({ config, ...(log ? { log } : {}) }));
}

/** Derives the two keys from the pepper; nothing here is logged. */
export function createAccountEmails(pepper: Pepper): AccountEmails {
  const ikm = new Uint8Array(pepper.secret);
  const sealKey = hkdf(sha256, ikm, undefined, encoder.encode('burrow email at rest v1'), 32);
  const indexKey = hkdf(sha256, ikm, undefined, encoder.encode('burrow email index v1'), 32);
  const throttleKey = hkdf(sha256, ikm, undefined, encoder.encode('burrow throttle key v1'), 32);

  const indexOf = (email: string): string => Buffer.from(hmac(sha256, indexKey, encoder.encode(email))).toString('hex');

  function seal(accountId: string, email: string): string {
    const nonce = new Uint8Array(randomBytes(24));
    const ct = xchacha20poly1305(sealKey, nonce, encoder.encode(accountId)).encrypt(encoder.encode(email));
    return `${VERSION}.${Buffer.from(nonce).toString('base64url')}.${Buffer.from(ct).toString('base64url')}`;
  }

  function open(row: { id: string; email_index: string; email_ciphertext: string | null }): string {
    if (row.email_ciphertext === null) return row.email_index;
    const [version, nonce, ct] = row.email_ciphertext.split('.');
    if (version !== VERSION || !nonce || !ct) throw new Error('unknown email ciphertext format');
    const plain = xchacha20poly1305(sealKey, new Uint8Array(Buffer.from(nonce, 'base64url')), encoder.encode(row.id)).decrypt(
      new Uint8Array(Buffer.from(ct, 'base64url')),
    );
    return decoder.decode(plain);
  }

  const columns = ['id', 'email_index', 'email_ciphertext'] as const;

  return {
    indexOf,
    seal,
    openSealed: (accountId, stored) => (stored.startsWith(`${VERSION}.`) ? open({ id: accountId, email_index: '', email_ciphertext: stored }) : stored),
    throttleKeyOf: (counter) => Buffer.from(hmac(sha256, throttleKey, encoder.encode(counter))).toString('hex'),
    columnsOf: (accountId, email) => ({ email_index: indexOf(email), email_ciphertext: seal(accountId, email) }),
    open,
    async findByEmail(db, email) {
      const row = await db.selectFrom('accounts').select(columns).where('email_index', '=', indexOf(email)).executeTakeFirst();
      return row && { id: row.id, email: open(row) };
    },
    async emailOf(db, accountId) {
      const row = await db.selectFrom('accounts').select(columns).where('id', '=', accountId).executeTakeFirst();
      return row && open(row);
    },
    async emailsOf(db, accountIds) {
      const out = new Map<string, string>();
      const ids = [...new Set(accountIds)];
      // Bounded IN lists (SQLite allows 32,766 parameters; PostgreSQL 65,535).
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await db.selectFrom('accounts').select(columns).where('id', 'in', ids.slice(i, i + 1000)).execute();
        for (const row of rows) out.set(row.id, open(row));
      }
      return out;
    },
    async pageOfAll(db, afterId, limit) {
      let query = db.selectFrom('accounts').select(columns).orderBy('id').limit(limit);
      if (afterId !== null) query = query.where('id', '>', afterId);
      return (await query.execute()).map((row) => ({ id: row.id, email: open(row) }));
    },
  };
}

/**
 * Converts rows stored before migration 0830 (the address in clear, moved into `email_index`) to
 * the index and the ciphertext, `batch` rows per transaction. Idempotent: a converted row has its
 * ciphertext and is not selected again, and each update re-checks that. Runs at every start
 * (app.ts), before anything reads an address; returns how many rows it converted.
 */
export async function encryptClearEmails(db: Db, emails: AccountEmails, batch = 500): Promise<number> {
  let converted = 0;
  for (;;) {
    const rows = await db.selectFrom('accounts').select(['id', 'email_index']).where('email_ciphertext', 'is', null).orderBy('id').limit(batch).execute();
    if (rows.length === 0) return converted;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        // The clear column held trim + lower-case; the index is over today's normalisation (email.ts).
        const email = canonicalEmail(row.email_index);
        await trx.updateTable('accounts').set(emails.columnsOf(row.id, email)).where('id', '=', row.id).where('email_ciphertext', 'is', null).execute();
      }
    });
    converted += rows.length;
  }
}
