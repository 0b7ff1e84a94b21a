/**
 * Recovery codes: ten single-use codes per account, shown once (at sign-up, and whenever the person
 * makes new ones under Security). One code either stands in for the second factor at sign-in or
 * resets the password without email (docs/security.md, "Recovery codes"). Each code is 10 characters
 * of Crockford base32 (50 random bits), shown as `xxxxx-xxxxx`; only HMAC-SHA-256 under a key derived
 * from the pepper is stored, so a database dump alone neither lists nor tests codes offline. A code
 * is spent with one conditional UPDATE, so it works exactly once.
 */
import { randomBytes } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import type { Pepper } from '../accounts/index.js';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const encoder = new TextEncoder();

/** Lowercase, separators dropped, and the letters people confuse with digits read as those digits. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

/** True when the input has the shape of a recovery code (so it is not mistaken for a TOTP code). */
export function looksLikeRecoveryCode(input: string): boolean {
  return /^[0-9a-hjkmnp-tv-z]{10}$/.test(normalizeRecoveryCode(input));
}

function newCode(): string {
  // 256 is a multiple of 32, so `byte & 31` is uniform.
  const chars = [...randomBytes(10)].map((b) => ALPHABET[b & 31]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export interface RecoveryCodes {
  /** Replaces the account's codes with ten new ones and returns them (the only time they are seen). */
  issue(accountId: string): Promise<string[]>;
  /** Spends a code of this account; false if it is not one, or was used. `via`: a caller's transaction. */
  consume(accountId: string, code: string, via?: Db): Promise<boolean>;
  /** True if the code is an unused one of this account (spends nothing). */
  peek(accountId: string, code: string): Promise<boolean>;
  remaining(accountId: string): Promise<number>;
  /** Codes of the same shape that belong to no one (the answer to a sign-up with a taken email). */
  decoys(): string[];
}

export function createRecoveryCodes({
  db,
  clock,
  pepper,
}: {
  db: Db;
  clock: Clock;
  pepper: Pepper;
}): RecoveryCodes {
  const key = hkdf(
    sha256,
    new Uint8Array(pepper.secret),
    undefined,
    encoder.encode('burrow recovery codes v1'),
    32,
  );
  const hashCode = (code: string) =>
    bytesToHex(hmac(sha256, key, encoder.encode(normalizeRecoveryCode(code))));

  return {
    async issue(accountId) {
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
      const now = clock.now();
      // Old codes go first; two renewals racing leave the later set (each person sees theirs once).
      await db.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
      await db
        .insertInto('recovery_codes')
        .values(
          codes.map((c) => ({
            code_hash: hashCode(c),
            account_id: accountId,
            created_at: now,
            used_at: null,
          })),
        )
        .execute();
      return codes;
    },

    async consume(accountId, code, via = db) {
      if (!looksLikeRecoveryCode(code)) return false;
      const row = await via
        .updateTable('recovery_codes')
        .set({ used_at: clock.now() })
        .where('code_hash', '=', hashCode(code))
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .returning('code_hash')
        .executeTakeFirst();
      return row !== undefined;
    },

    async peek(accountId, code) {
      if (!looksLikeRecoveryCode(code)) return false;
      const row = await db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('code_hash', '=', hashCode(code))
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return row !== undefined;
    },

    async remaining(accountId) {
      const row = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    decoys: () => Array.from({ length: RECOVERY_CODE_COUNT }, newCode),
  };
}

/** Deletes an account's recovery codes, used or not (account deletion, erasure/). */
export async function deleteRecoveryCodesOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
}
