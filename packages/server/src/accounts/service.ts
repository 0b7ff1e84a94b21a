/**
 * Accounts: sign up, log in, log out, and "who am I". Log in answers the same way, after the same
 * argon2 work, whether the email is unknown or the password wrong, so it cannot be used to learn
 * which emails have accounts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { conflict, unauthenticated } from '../errors/index.js';
import { hashToken, newId, newSessionToken } from '../auth/index.js';
import { normalizeEmail } from './email.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface Session {
  accountId: string;
  token: string;
  expiresAt: number;
}

export interface Me {
  accountId: string;
  email: string;
  families: { familyId: string; role: 'guardian' | 'member' }[];
  devices: { deviceId: string }[];
}

export interface Accounts {
  signUp(input: { email: string; password: string }): Promise<Session>;
  logIn(input: { email: string; password: string }): Promise<Session>;
  logOut(sessionHash: string): Promise<void>;
  getMe(accountId: string): Promise<Me>;
}

const WRONG = 'Email or password is wrong.';

export function createAccounts({ db, clock }: { db: Db; clock: Clock; log: Logger }): Accounts {
  // Verified against when the email is unknown, so both paths cost one argon2 verification.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => (dummyHash ??= hashPassword(newSessionToken()));

  async function openSession(accountId: string): Promise<Session> {
    const token = newSessionToken();
    const now = clock.now();
    const expiresAt = now + SESSION_TTL_MS;
    await db
      .insertInto('sessions')
      .values({ token_hash: hashToken(token), account_id: accountId, created_at: now, expires_at: expiresAt })
      .execute();
    return { accountId, token, expiresAt };
  }

  return {
    async signUp(input) {
      const email = normalizeEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      const accountId = newId();
      try {
        await db
          .insertInto('accounts')
          .values({ id: accountId, email, password_hash: passwordHash, created_at: clock.now() })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('An account with that email already exists.');
        throw err;
      }
      return openSession(accountId);
    },

    async logIn(input) {
      let email: string | null;
      try {
        email = normalizeEmail(input.email);
      } catch {
        email = null;
      }
      const row =
        email === null
          ? undefined
          : await db
              .selectFrom('accounts')
              .select(['id', 'password_hash'])
              .where('email', '=', email)
              .executeTakeFirst();
      const ok = await verifyPassword(row?.password_hash ?? (await dummy()), input.password);
      if (!row || !ok) throw unauthenticated(WRONG);
      return openSession(row.id);
    },

    async logOut(sessionHash) {
      await db.deleteFrom('sessions').where('token_hash', '=', sessionHash).execute();
    },

    async getMe(accountId) {
      const account = await db
        .selectFrom('accounts')
        .select(['id', 'email'])
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
        email: account.email,
        families: families.map((f) => ({ familyId: f.family_id, role: f.role })),
        devices: devices.map((d) => ({ deviceId: d.id })),
      };
    },
  };
}
