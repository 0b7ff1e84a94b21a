/**
 * Accounts: sign up, sign in with a password, "who am I", and changing the password. Sign-in answers
 * the same way, after the same argon2 work and under the same throttle, whether the email is unknown
 * or the password wrong, so it cannot be used to learn which emails have accounts. What it hands over
 * to the other account capabilities (opening the session, the second step, recovery codes) goes
 * through the ports of ports.ts; email links live in links.ts and verification.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { isAppError, unauthenticated } from '../errors/index.js';
import { newId, newSessionToken } from '../auth/index.js';
import type { Credentials } from './credentials.js';
import { normalizeEmail } from './email.js';
import type { StoredPassword } from './passwords.js';
import type {
  FactorStatus,
  OpenedSession,
  PasswordResetGate,
  PendingSignIn,
  RecoveryCodeIssuer,
  SecondFactorStep,
  SessionOpener,
} from './ports.js';
import type { RequestMeta } from './request-meta.js';
import type { ShortPasswordGate } from './short-password.js';
import type { Telling } from './telling.js';
import { defaultThrottleRules, throttleKey, type ThrottleRules } from './throttle.js';
import { browserHash, insertAccount, rememberBrowser } from './store.js';
import { describeUserAgent } from './user-agent.js';

export type { RequestMeta } from './request-meta.js';

export interface Me {
  accountId: string;
  email: string;
  emailVerified: boolean;
  families: { familyId: string; role: 'guardian' | 'member' }[];
  devices: { deviceId: string }[];
  security: FactorStatus;
}

/** A session, and whether a family of the account requires a second factor it has not added yet. */
export interface SignedIn {
  session: OpenedSession;
  mustAddSecondFactor: boolean;
}

/** A password sign-in either opens a session or, with a second factor on, waits for it. */
export type LogInResult = ({ kind: 'session' } & SignedIn) | ({ kind: 'second_factor' } & PendingSignIn);

/** Sign-up: the session and the recovery codes, shown once. */
export interface SignedUp {
  session: OpenedSession;
  recoveryCodes: string[];
}

export interface Accounts {
  /**
   * Creates the account. For an email that already has one the answer is the same shape (a session
   * token and codes that open nothing) and the owner is mailed instead: no enumeration.
   */
  signUp(input: { email: string; password: string }, meta: RequestMeta): Promise<SignedUp>;
  logIn(input: { email: string; password: string }, meta: RequestMeta): Promise<LogInResult>;
  /** Opens a session once every factor is in: events, new-browser notice, family requirement. */
  finishSignIn(accountId: string, meta: RequestMeta, how: 'password' | 'passkey'): Promise<SignedIn>;
  getMe(accountId: string): Promise<Me>;
  /** Checks the current password, sets the new one, ends every other session, and says so by mail. */
  changePassword(
    accountId: string,
    sessionHash: string,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ): Promise<void>;
}

/** The steps sign-up and sign-in take through the other account capabilities, and the gates before a session. */
export interface SignInFlow {
  sessions: SessionOpener;
  secondFactor: SecondFactorStep;
  recoveryCodes: RecoveryCodeIssuer;
  /** Mails the verification link to a new account (verification.ts). */
  sendVerification: (accountId: string, email: string) => Promise<void>;
  /** Refuses sign-in while an incident requires a password reset (incidents/forced-reset.ts). */
  passwordResetGate?: PasswordResetGate;
  /** Refuses a password too short to be the only factor once the second factor is gone (short-password.ts). */
  shortPasswordGate?: ShortPasswordGate;
}

export interface AccountsPorts {
  db: Db;
  clock: Clock;
  log: Logger;
  credentials: Credentials;
  tell: Telling;
  flow: SignInFlow;
}

const WRONG = 'Email or password is wrong.';

/** The throttle key of sign-in attempts against one email (used by recovery.ts to clear it). */
export const logInAccountKey = (email: string, rules: ThrottleRules = defaultThrottleRules) =>
  throttleKey('log-in-account', email, rules.account);

export function createAccounts({
  db,
  clock,
  log,
  credentials: { hasher, policy, throttle, rules, emails },
  tell: { events, notices },
  flow: { sessions, secondFactor: factors, recoveryCodes: codes, sendVerification, passwordResetGate, shortPasswordGate },
}: AccountsPorts): Accounts {
  // Verified against when the email is unknown, so both paths cost one argon2 verification.
  let dummyHash: Promise<StoredPassword> | undefined;
  const dummy = (): Promise<StoredPassword> => (dummyHash ??= hasher.hash(newSessionToken()));


  /** Records the browser; true when the account had signed in before but never from it. */
  async function isNewBrowser(accountId: string, meta: RequestMeta): Promise<boolean> {
    const hash = browserHash(accountId, meta.userAgent);
    const known = await db
      .selectFrom('sign_in_browsers')
      .select('browser_hash')
      .where('account_id', '=', accountId)
      .execute();
    if (known.some((k) => k.browser_hash === hash)) return false;
    await rememberBrowser(db, accountId, hash, clock.now());
    return known.length > 0;
  }

  /**
   * The answer to a sign-up with an email that already has an account: the same status and shape as
   * a real one (a well-formed token and codes, after the same argon2 work), but nothing is stored —
   * the token opens no session — and the address's owner is told someone tried.
   */
  async function decoySignUp(email: string, meta: RequestMeta): Promise<SignedUp> {
    const owner = await emails.findByEmail(db, email);
    if (owner) {
      await events.record(owner.id, 'sign_up_attempt_existing_email', meta);
      notices.signUpAttempt(owner.email, { browser: describeUserAgent(meta.userAgent).label, ip: meta.ip, at: clock.now() });
    }
    return { session: sessions.decoy(), recoveryCodes: codes.decoys() };
  }

  async function createAccount(input: { email: string; password: string }, meta: RequestMeta): Promise<SignedUp> {
    const email = normalizeEmail(input.email);
    await policy.check(input.password, { email });
    const stored = await hasher.hash(input.password);
    const accountId = newId();
    try {
      await insertAccount(db, emails, {
        id: accountId,
        email,
        passwordHash: stored.hash,
        pepperId: stored.pepperId,
        createdAt: clock.now(),
        emailVerifiedAt: null,
      });
    } catch (err) {
      if (isUniqueViolation(err)) return decoySignUp(email, meta);
      throw err;
    }
    await isNewBrowser(accountId, meta);
    await sendVerification(accountId, email);
    await events.record(accountId, 'signed_up', meta);
    const recoveryCodes = await codes.issue(accountId);
    return { session: await sessions.open(accountId, meta), recoveryCodes };
  }

  /**
   * The password-verification step of sign-in, kept in one place so checks on the password itself
   * (e.g. breach tripwires) hook in here. Verifies against a dummy hash when the email is unknown.
   */
  async function verifyLogInPassword(
    row: { id: string; password_hash: string; pepper_id: string | null } | undefined,
    password: string,
    meta: RequestMeta,
  ): Promise<boolean> {
    const stored: StoredPassword = row ? { hash: row.password_hash, pepperId: row.pepper_id, accountId: row.id } : await dummy();
    const ok = await hasher.verify(stored, password, meta);
    return row !== undefined && ok;
  }

  async function finishSignIn(accountId: string, meta: RequestMeta, how: 'password' | 'passkey'): Promise<SignedIn> {
    const email = await emails.emailOf(db, accountId);
    if (email === undefined) throw new Error('no such account');
    await events.record(accountId, how === 'passkey' ? 'signed_in_passkey' : 'signed_in', meta);
    if (await isNewBrowser(accountId, meta)) {
      await events.record(accountId, 'new_browser', meta);
      notices.newSignIn(email, { browser: describeUserAgent(meta.userAgent).label, ip: meta.ip, at: clock.now() });
    }
    const status = await factors.status(accountId);
    return { session: await sessions.open(accountId, meta), mustAddSecondFactor: status.mustAdd };
  }

  async function setPassword(accountId: string, password: string): Promise<void> {
    const fresh = await hasher.hash(password);
    await db
      .updateTable('accounts')
      .set({ password_hash: fresh.hash, pepper_id: fresh.pepperId })
      .where('id', '=', accountId)
      .execute();
  }

  return {
    async signUp(input, meta) {
      const addressKey = throttleKey('sign-up-address', meta.ip, rules.address);
      await throttle.check([addressKey]);
      try {
        return await createAccount(input, meta);
      } catch (err) {
        // Refusals count against the address (probing the password rules).
        if (isAppError(err) && err.status < 500) await throttle.fail([addressKey]);
        throw err;
      }
    },

    async logIn(input, meta) {
      let email: string | null;
      try {
        email = normalizeEmail(input.email);
      } catch {
        email = null;
      }
      const addressKey = throttleKey('log-in-address', meta.ip, rules.address);
      // Keyed by the email tried, known or not, so a block says nothing about whether it exists.
      const accountKey = logInAccountKey(email ?? input.email, rules);
      await throttle.check([addressKey, accountKey]);
      const row =
        email === null
          ? undefined
          : await db
              .selectFrom('accounts')
              .select(['id', 'password_hash', 'pepper_id'])
              // One HMAC: the blind index of the address tried (email-store.ts).
              .where('email_index', '=', emails.indexOf(email))
              .executeTakeFirst()
              // The index matched, so the stored address is the one typed (normalised): nothing to open.
              .then((r) => r && { ...r, email });
      const ok = await verifyLogInPassword(row, input.password, meta);
      if (!row || !ok) {
        await throttle.fail([addressKey, accountKey]);
        throw unauthenticated('credentials_wrong', WRONG);
      }
      await throttle.clear(accountKey);
      await passwordResetGate?.({ id: row.id, email: row.email, passwordHash: row.password_hash }, meta);
      if (hasher.needsRehash({ hash: row.password_hash, pepperId: row.pepper_id })) {
        // Transparent upgrade: new argon2 parameters or a new pepper take effect at the next sign-in.
        const fresh = await hasher.hash(input.password);
        await db
          .updateTable('accounts')
          .set({ password_hash: fresh.hash, pepper_id: fresh.pepperId })
          .where('id', '=', row.id)
          .where('password_hash', '=', row.password_hash)
          .execute();
        log.info({ accountId: row.id }, 'password rehashed with current parameters');
      }
      // With TOTP or a passkey on, the password is one factor of two: no session until the second.
      if (await factors.hasSecondFactor(row.id)) return { kind: 'second_factor', ...(await factors.startPending(row.id)) };
      await shortPasswordGate?.({ email: row.email, password: input.password }, meta);
      return { kind: 'session', ...(await finishSignIn(row.id, meta, 'password')) };
    },

    finishSignIn,

    async changePassword(accountId, sessionHash, input, meta) {
      const addressKey = throttleKey('log-in-address', meta.ip, rules.address);
      const found = await db
        .selectFrom('accounts')
        .select(['id', 'email_index', 'email_ciphertext', 'password_hash', 'pepper_id'])
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      const row = { ...found, email: emails.open(found) };
      const accountKey = logInAccountKey(row.email, rules);
      await throttle.check([addressKey, accountKey]);
      if (!(await hasher.verify({ hash: row.password_hash, pepperId: row.pepper_id, accountId }, input.currentPassword, meta))) {
        await throttle.fail([addressKey, accountKey]);
        throw unauthenticated('current_password_wrong', 'The current password is wrong.');
      }
      await policy.check(input.newPassword, { email: row.email, secondFactor: await factors.hasSecondFactor(accountId) });
      await setPassword(accountId, input.newPassword);
      const ended = await sessions.revokeAll(accountId, sessionHash);
      log.info({ accountId, endedSessions: ended }, 'password changed');
      await events.record(accountId, 'password_changed', meta, ended > 0 ? `${ended} other session(s) signed out` : undefined);
      notices.securityChange(
        row.email,
        `The password of your Burrow account was changed${ended > 0 ? `, and ${ended} other session${ended === 1 ? ' was' : 's were'} signed out` : ''}.`,
      );
    },

    async getMe(accountId) {
      const account = await db
        .selectFrom('accounts')
        .select(['id', 'email_index', 'email_ciphertext', 'email_verified_at'])
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      const families = await db
        .selectFrom('family_members')
        .select(['family_id', 'role'])
        .where('account_id', '=', accountId)
        .orderBy('family_id')
        .execute();
      const devices = await db
        .selectFrom('devices')
        .select('id')
        .where('account_id', '=', accountId)
        .where('kind', '=', 'person')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return {
        accountId: account.id,
        email: emails.open(account),
        emailVerified: account.email_verified_at !== null,
        families: families.map((f) => ({ familyId: f.family_id, role: f.role })),
        devices: devices.map((d) => ({ deviceId: d.id })),
        security: await factors.status(accountId),
      };
    },
  };
}
