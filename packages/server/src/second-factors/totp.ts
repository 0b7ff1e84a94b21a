/**
 * TOTP second factor (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps — what every authenticator app
 * speaks), computed by the `otpauth` library. The 20-byte secret is sealed at rest (secret-box.ts)
 * and leaves the server only once, when enrolment starts, as text and as an otpauth:// URI for a QR
 * code. Enrolment is on only after a code from the app confirms it. A code is accepted for the
 * current step or one step either side (clock drift), and never for a step at or before the last
 * one accepted (RFC 6238 §5.2: a code is single use), enforced by one conditional UPDATE.
 * Guess limits live in the caller (second-factor.ts), through the shared throttle.
 */
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { conflict } from '../errors/index.js';
import type { SecretBox } from './secret-box.js';

export const TOTP_PERIOD_S = 30;
export const TOTP_ISSUER = 'Burrow';

export interface TotpEnrolment {
  /** Base32, for typing into an app by hand. */
  secret: string;
  /** otpauth://totp/... for a QR code. */
  uri: string;
}

export interface TotpStatus {
  enabled: boolean;
  /** An enrolment was started and not yet confirmed. */
  pending: boolean;
}

export interface Totp {
  begin(accountId: string, email: string): Promise<TotpEnrolment>;
  /** Turns a pending enrolment on if `code` is right; false otherwise. */
  confirm(accountId: string, code: string): Promise<boolean>;
  /** Checks a code of an enabled factor; a code of an already-used step is refused. */
  check(accountId: string, code: string): Promise<boolean>;
  disable(accountId: string): Promise<boolean>;
  status(accountId: string): Promise<TotpStatus>;
}

const totpOf = (secret: Uint8Array, label = 'Burrow') =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_S,
    secret: new Secret({ buffer: secret.slice().buffer }),
  });

export function createTotp({ db, clock, box }: { db: Db; clock: Clock; box: SecretBox }): Totp {
  async function load(accountId: string) {
    return db
      .selectFrom('totp_factors')
      .select(['secret_ciphertext', 'key_id', 'enabled_at', 'last_step'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
  }

  /** The step the code belongs to, or null if it is not a code of this secret now. */
  function stepOf(sealed: string, accountId: string, code: string): number | null {
    if (!/^\d{6}$/.test(code)) return null;
    const totp = totpOf(box.open(sealed, accountId));
    const now = clock.now();
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    return delta === null ? null : totp.counter({ timestamp: now }) + delta;
  }

  /** Records `step` as used if it is later than the last used one; false for a replay. */
  async function spend(accountId: string, step: number, enable: boolean): Promise<boolean> {
    const result = await db
      .updateTable('totp_factors')
      .set({ last_step: step, ...(enable ? { enabled_at: clock.now() } : {}) })
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .where('enabled_at', enable ? 'is' : 'is not', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  return {
    async begin(accountId, email) {
      const existing = await load(accountId);
      if (existing?.enabled_at != null)
        throw conflict('two_step_on', 'Two-step sign-in is already on. Turn it off first to set up a new app.');
      const secret = new Secret({ size: 20 });
      const sealed = box.seal(secret.bytes, accountId);
      const values = {
        secret_ciphertext: sealed,
        key_id: box.keyId,
        created_at: clock.now(),
        enabled_at: null,
        last_step: null,
      };
      await db
        .insertInto('totp_factors')
        .values({ account_id: accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute();
      return { secret: secret.base32, uri: totpOf(secret.bytes, email).toString() };
    },

    async confirm(accountId, code) {
      const row = await load(accountId);
      if (!row || row.enabled_at !== null || row.key_id !== box.keyId) return false;
      const step = stepOf(row.secret_ciphertext, accountId, code.trim());
      return step !== null && spend(accountId, step, true);
    },

    async check(accountId, code) {
      const row = await load(accountId);
      if (!row || row.enabled_at === null || row.key_id !== box.keyId) return false;
      const step = stepOf(row.secret_ciphertext, accountId, code.replace(/\s/g, ''));
      return step !== null && spend(accountId, step, false);
    },

    async disable(accountId) {
      const result = await db
        .deleteFrom('totp_factors')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async status(accountId) {
      const row = await load(accountId);
      return { enabled: row?.enabled_at != null, pending: row !== undefined && row.enabled_at === null };
    },
  };
}

/** Deletes an account's TOTP factor, enabled or pending (account deletion, erasure/). */
export async function deleteTotpOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('totp_factors').where('account_id', '=', accountId).execute();
}
