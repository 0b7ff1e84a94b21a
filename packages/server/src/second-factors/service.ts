/**
 * Second factors around the password: the pending sign-in (a password sign-in of an account with
 * TOTP or a passkey answers "second factor required" with a short-lived, single-use pending token —
 * never a session), its completion by a TOTP code, a recovery code or a passkey, sign-in with a
 * passkey alone, and the enrolment and removal of each factor. Every change is recorded as a
 * security event and mailed (accounts/telling.ts). Code checks count against the shared throttle
 * per account and per address, so guessing six digits online is as slow as guessing a password.
 */
import { randomBytes } from 'node:crypto';
import { PASSWORD_MIN } from '@burrow/api';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Logger } from 'pino';
import { hashToken } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest, conflict, forbidden, notFound, unauthenticated } from '../errors/index.js';
import {
  longEnoughAlone,
  throttleKey,
  type Credentials,
  type FactorStatus,
  type PendingSignIn,
  type RequestMeta,
  type SecondFactorMethod,
  type Telling,
} from '../accounts/index.js';
import { asGuardianOfExistingFamily, memberRole } from '../families/access.js';
import { looksLikeRecoveryCode, type RecoveryCodes } from '../recovery/index.js';
import { hasSecondFactor as factorOn, requiredByFamily } from './gate.js';
import type { PasskeyView, Passkeys, RelyingParty } from './passkeys.js';
import type { Totp, TotpEnrolment } from './totp.js';

export type { FactorStatus, PendingSignIn, SecondFactorMethod } from '../accounts/index.js';

export const PENDING_PREFIX = 'pl_';
export const PENDING_TTL_MS = 5 * 60 * 1000;

type EventMeta = RequestMeta;

/** Opens the session once every factor is in (accounts/service.ts finishSignIn: notices, events, new browser). */
export type FinishSignIn<S> = (accountId: string, meta: EventMeta, how: 'password' | 'passkey') => Promise<S>;

/** The factors themselves: TOTP, passkeys, and the recovery codes that stand in for either. */
export interface FactorStores {
  totp: Totp;
  passkeys: Passkeys;
  codes: RecoveryCodes;
}

export interface SecondFactorsPorts {
  db: Db;
  clock: Clock;
  log: Logger;
  credentials: Pick<Credentials, 'hasher' | 'throttle' | 'rules' | 'emails'>;
  tell: Pick<Telling, 'events' | 'changed'>;
  factors: FactorStores;
}

const WRONG_CODE = 'That code is not right. Check the time on your phone, or use a recovery code.';
const PENDING_GONE = 'The sign-in took too long or was already finished. Sign in again.';

export function createSecondFactors({
  db,
  clock,
  log,
  credentials: { hasher, throttle, rules, emails },
  tell: { events, changed },
  factors: { totp, passkeys, codes },
}: SecondFactorsPorts) {
  const codeKeys = (accountId: string, meta: EventMeta) => [
    throttleKey('code-account', accountId, rules.account),
    throttleKey('code-address', meta.ip, rules.address),
  ];

  async function emailOf(accountId: string): Promise<string> {
    const email = await emails.emailOf(db, accountId);
    if (email === undefined) throw new Error('no such account');
    return email;
  }

  async function methods(accountId: string): Promise<SecondFactorMethod[]> {
    const m: SecondFactorMethod[] = [];
    if ((await totp.status(accountId)).enabled) m.push('totp');
    if ((await passkeys.count(accountId)) > 0) m.push('passkey');
    if ((await codes.remaining(accountId)) > 0) m.push('recovery_code');
    return m;
  }

  /** The account of an unexpired pending sign-in; throws 401 otherwise. */
  async function pendingAccount(token: string): Promise<string> {
    const row = /^pl_[A-Za-z0-9_-]{43}$/.test(token)
      ? await db
          .selectFrom('pending_logins')
          .select(['account_id', 'expires_at'])
          .where('token_hash', '=', hashToken(token))
          .executeTakeFirst()
      : undefined;
    if (!row || row.expires_at <= clock.now()) throw unauthenticated('sign_in_expired', PENDING_GONE);
    return row.account_id;
  }

  /** Ends the pending sign-in; false if another request finished it first. */
  async function endPending(token: string): Promise<boolean> {
    const result = await db
      .deleteFrom('pending_logins')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** A TOTP code or a recovery code of an account, throttled; true if it was accepted. */
  async function checkCode(
    accountId: string,
    code: string,
    meta: EventMeta,
  ): Promise<'totp' | 'recovery_code' | null> {
    const keys = codeKeys(accountId, meta);
    await throttle.check(keys);
    const trimmed = code.trim();
    let used: 'totp' | 'recovery_code' | null = null;
    if (/^\d{3}\s?\d{3}$/.test(trimmed)) {
      if (await totp.check(accountId, trimmed.replace(/\s/g, ''))) used = 'totp';
    } else if (looksLikeRecoveryCode(trimmed) && (await codes.consume(accountId, trimmed)))
      used = 'recovery_code';
    if (used === null) {
      await throttle.fail(keys);
      return null;
    }
    await throttle.clear(keys[0]!);
    return used;
  }

  async function status(accountId: string): Promise<FactorStatus> {
    const [t, p, r, required] = await Promise.all([
      totp.status(accountId),
      passkeys.count(accountId),
      codes.remaining(accountId),
      requiredByFamily(db, accountId),
    ]);
    const on = t.enabled || p > 0;
    return {
      totp: t.enabled,
      passkeys: p,
      recoveryCodes: r,
      requiredByFamily: required,
      mustAdd: required && !on,
    };
  }

  return {
    hasSecondFactor: (accountId: string) => factorOn(db, accountId),
    status,
    checkCode,

    async startPending(accountId: string): Promise<PendingSignIn> {
      const token = PENDING_PREFIX + randomBytes(32).toString('base64url');
      const now = clock.now();
      await db.deleteFrom('pending_logins').where('expires_at', '<=', now).execute();
      await db
        .insertInto('pending_logins')
        .values({
          token_hash: hashToken(token),
          account_id: accountId,
          created_at: now,
          expires_at: now + PENDING_TTL_MS,
        })
        .execute();
      return { pendingToken: token, expiresAt: now + PENDING_TTL_MS, methods: await methods(accountId) };
    },

    /** Second step with a TOTP or recovery code. */
    async completeWithCode<S>(
      input: { pendingToken: string; code: string },
      meta: EventMeta,
      finish: FinishSignIn<S>,
    ): Promise<S> {
      const accountId = await pendingAccount(input.pendingToken);
      const used = await checkCode(accountId, input.code, meta);
      if (used === null) {
        await events.record(accountId, 'second_factor_failed', meta);
        throw unauthenticated('code_wrong', WRONG_CODE);
      }
      if (!(await endPending(input.pendingToken))) throw unauthenticated('sign_in_expired', PENDING_GONE);
      if (used === 'recovery_code') {
        const left = await codes.remaining(accountId);
        await changed(
          accountId,
          'recovery_code_used',
          meta,
          `A recovery code was used to sign in to your Burrow account. ${left} recovery code${left === 1 ? ' is' : 's are'} left; you can make new ones under Security.`,
        );
      }
      return finish(accountId, meta, 'password');
    },

    async passkeyOptionsForPending(pendingToken: string, rp: RelyingParty) {
      const accountId = await pendingAccount(pendingToken);
      return passkeys.authenticationOptions(accountId, rp);
    },

    /** Second step with one of the account's passkeys. */
    async completeWithPasskey<S>(
      input: { pendingToken: string; challengeId: string; response: AuthenticationResponseJSON },
      rp: RelyingParty,
      meta: EventMeta,
      finish: FinishSignIn<S>,
    ): Promise<S> {
      const accountId = await pendingAccount(input.pendingToken);
      const keys = codeKeys(accountId, meta);
      await throttle.check(keys);
      try {
        await passkeys.authenticate(input, rp, accountId);
      } catch (err) {
        await throttle.fail(keys);
        throw err;
      }
      if (!(await endPending(input.pendingToken))) throw unauthenticated('sign_in_expired', PENDING_GONE);
      return finish(accountId, meta, 'password');
    },

    passkeySignInOptions: (rp: RelyingParty) => passkeys.authenticationOptions(null, rp),
    passkeyRegistrationOptions: async (accountId: string, rp: RelyingParty) =>
      passkeys.registrationOptions(accountId, await emailOf(accountId), rp),
    listPasskeys: (accountId: string) => passkeys.list(accountId),

    /**
     * Usernameless sign-in with a discoverable passkey (no password), throttled by address. A passkey
     * with user verification is two factors in one (SP 800-63B §3.1.7), so it opens the session.
     */
    async signInWithPasskey<S>(
      input: { challengeId: string; response: AuthenticationResponseJSON },
      rp: RelyingParty,
      meta: EventMeta,
      finish: FinishSignIn<S>,
    ): Promise<S> {
      const addressKey = throttleKey('log-in-address', meta.ip, rules.address);
      await throttle.check([addressKey]);
      let accountId: string;
      try {
        ({ accountId } = await passkeys.authenticate(input, rp, null));
      } catch (err) {
        await throttle.fail([addressKey]);
        throw err;
      }
      return finish(accountId, meta, 'passkey');
    },

    // --- TOTP enrolment ---

    async beginTotp(accountId: string): Promise<TotpEnrolment> {
      return totp.begin(accountId, await emailOf(accountId));
    },

    /** Confirms enrolment; returns fresh recovery codes when the account had none left (else []). */
    async confirmTotp(accountId: string, code: string, meta: EventMeta): Promise<string[]> {
      const keys = codeKeys(accountId, meta);
      await throttle.check(keys);
      if (!(await totp.confirm(accountId, code))) {
        await throttle.fail(keys);
        throw badRequest('code_wrong',
          'That code is not right. Type the 6 digits your app shows now (they change every 30 seconds).',
        );
      }
      await changed(
        accountId,
        'totp_enabled',
        meta,
        'Two-step sign-in with an authenticator app was turned on for your Burrow account.',
      );
      return (await codes.remaining(accountId)) > 0 ? [] : codes.issue(accountId);
    },

    /** Turns TOTP off after the password or a current code (TOTP or recovery) proves it is the owner. */
    async disableTotp(
      accountId: string,
      input: { password?: string | undefined; code?: string | undefined },
      meta: EventMeta,
    ) {
      const current = await totp.status(accountId);
      if (!current.enabled && !current.pending) throw notFound('two_step_off', 'Two-step sign-in is not on.');
      let proved: boolean;
      if (input.password !== undefined) proved = await isPassword(accountId, input.password, meta);
      else if (input.code !== undefined) {
        proved = (await checkCode(accountId, input.code, meta)) !== null;
      } else throw badRequest('password_or_code_required', 'Give your password or a current code to turn two-step sign-in off.');
      if (!proved) throw unauthenticated('password_or_code_wrong', 'That password or code is not right.');
      // Without TOTP and passkeys the password is the only factor: it must then have 15+ characters.
      if (input.password !== undefined && !longEnoughAlone(input.password) && (await passkeys.count(accountId)) === 0)
        throw badRequest('two_step_off_needs_longer_password',
          `Your password is shorter than ${PASSWORD_MIN} characters, which is not enough on its own. Change it to a longer one first, then turn two-step sign-in off.`,
          { min: PASSWORD_MIN },
        );
      await totp.disable(accountId);
      await changed(
        accountId,
        'totp_disabled',
        meta,
        'Two-step sign-in with an authenticator app was turned off for your Burrow account.',
      );
    },

    // --- passkeys ---

    async registerPasskey(
      accountId: string,
      input: { challengeId: string; response: RegistrationResponseJSON; name?: string | undefined },
      rp: RelyingParty,
      meta: EventMeta,
    ): Promise<PasskeyView> {
      const view = await passkeys.register(accountId, input, rp);
      await changed(
        accountId,
        'passkey_added',
        meta,
        `A passkey (“${view.name}”) was added to your Burrow account.`,
        view.name,
      );
      return view;
    },

    async renamePasskey(accountId: string, passkeyId: string, name: string, meta: EventMeta): Promise<void> {
      const clean = await passkeys.rename(accountId, passkeyId, name);
      await events.record(accountId, 'passkey_renamed', meta, clean);
    },

    async removePasskey(accountId: string, passkeyId: string, meta: EventMeta): Promise<void> {
      const name = await passkeys.remove(accountId, passkeyId);
      await changed(
        accountId,
        'passkey_removed',
        meta,
        `A passkey (“${name}”) was removed from your Burrow account.`,
        name,
      );
    },

    // --- recovery codes ---

    /** New codes after the password proves it is the owner; the old ones stop working. */
    async renewRecoveryCodes(accountId: string, password: string, meta: EventMeta): Promise<string[]> {
      if (!(await isPassword(accountId, password, meta)))
        throw unauthenticated('password_wrong', 'The password is wrong.');
      const fresh = await codes.issue(accountId);
      await changed(
        accountId,
        'recovery_codes_renewed',
        meta,
        'New recovery codes were made for your Burrow account; the old ones no longer work.',
      );
      return fresh;
    },

    /**
     * Re-authentication before something that cannot be undone (deleting the account or a family):
     * the password, and when the account has a second factor, a current TOTP code or a recovery code
     * too. Behind the same guessing throttle as the codes.
     */
    async confirmOwner(accountId: string, input: { password: string; code?: string | undefined }, meta: EventMeta): Promise<void> {
      if (!(await isPassword(accountId, input.password, meta))) throw unauthenticated('password_wrong', 'That password is not right.');
      if (!(await factorOn(db, accountId))) return;
      if (input.code === undefined || input.code.trim() === '')
        throw badRequest('code_required',
          'Your account has two-step sign-in: give the 6-digit code your authenticator app shows, or one of your recovery codes.',
        );
      if ((await checkCode(accountId, input.code, meta)) === null) throw unauthenticated('code_wrong', WRONG_CODE);
    },

    // --- the family-wide requirement ---

    async familyRequirement(familyId: string, accountId: string) {
      await guardianOf(familyId, accountId, false);
      const rule = await db
        .selectFrom('family_second_factor_rules')
        .select(['required_at'])
        .where('family_id', '=', familyId)
        .executeTakeFirst();
      const members = await db
        .selectFrom('family_members')
        .select('account_id')
        .where('family_id', '=', familyId)
        .execute();
      let without = 0;
      for (const m of members) if (!(await factorOn(db, m.account_id))) without++;
      return { required: rule !== undefined, requiredAt: rule?.required_at ?? null, membersWithout: without };
    },

    async setFamilyRequirement(familyId: string, accountId: string, required: boolean, meta: EventMeta) {
      await guardianOf(familyId, accountId, true);
      if (required) {
        // Otherwise the guardian would lock themselves out of the family's messages at once.
        if (!(await factorOn(db, accountId)))
          throw conflict('own_second_factor_required', 'Turn on two-step sign-in or add a passkey to your own account first.');
        // With the family locked against its erasure: one that commits meanwhile is a 404, not a
        // foreign-key 500 (families/access.ts asGuardianOfExistingFamily).
        await asGuardianOfExistingFamily(db, familyId, accountId, (trx) =>
          trx
            .insertInto('family_second_factor_rules')
            .values({ family_id: familyId, required_at: clock.now(), required_by: accountId })
            .onConflict((oc) => oc.column('family_id').doNothing())
            .execute(),
        );
      } else await db.deleteFrom('family_second_factor_rules').where('family_id', '=', familyId).execute();
      log.info({ familyId, required }, 'family second-factor requirement changed');
      await changed(
        accountId,
        required ? 'family_second_factor_required' : 'family_second_factor_not_required',
        meta,
        required
          ? 'You now require two-step sign-in of everyone in your Burrow family.'
          : 'You no longer require two-step sign-in of everyone in your Burrow family.',
      );
    },
  };

  /** Whether `password` is the account's, behind the same guessing throttle as the codes (a miss counts). */
  async function isPassword(accountId: string, password: string, meta: EventMeta): Promise<boolean> {
    const keys = codeKeys(accountId, meta);
    await throttle.check(keys);
    const row = await db
      .selectFrom('accounts')
      .select(['password_hash', 'pepper_id'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const ok = await hasher.verify({ hash: row.password_hash, pepperId: row.pepper_id }, password, meta);
    if (!ok) await throttle.fail(keys);
    return ok;
  }

  async function guardianOf(familyId: string, accountId: string, mustBeGuardian: boolean): Promise<void> {
    const role = await memberRole(db, familyId, accountId);
    if (!role) throw notFound('family_not_found', 'No such family.');
    if (mustBeGuardian && role !== 'guardian') throw forbidden('guardian_only', 'Only a guardian can change this.');
  }
}

export type SecondFactors = ReturnType<typeof createSecondFactors>;

/** Deletes an account's unfinished sign-ins (account deletion, erasure/). */
export async function deletePendingLoginsOf(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('pending_logins').where('account_id', '=', accountId).execute();
}

/** Deletes a family's second-factor requirement (family deletion, erasure/). */
export async function deleteFamilyRequirement(db: Db, familyId: string): Promise<void> {
  await db.deleteFrom('family_second_factor_rules').where('family_id', '=', familyId).execute();
}
