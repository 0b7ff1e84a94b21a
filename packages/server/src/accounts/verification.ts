/**
 * Email verification: sign-up mails a link (links.ts, 24 h, single use) that proves the address is
 * the person's; it can be asked for again while the address is unverified, at most a few times a
 * day per address (the `mail` throttle rule).
 */
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import type { Credentials } from './credentials.js';
import type { AccountLinks } from './links.js';
import type { Notices } from './notices.js';
import type { RequestMeta } from './request-meta.js';
import { throttleKey } from './throttle.js';

export interface EmailVerification {
  /** Mails a fresh verification link to a new account's address. */
  send(accountId: string, email: string): Promise<void>;
  /** Mails another link, unless the address is already verified (throttled per address and client). */
  resend(accountId: string, meta: RequestMeta): Promise<void>;
  /** Redeems a link: the account's address is verified from now on. */
  verify(token: string, meta: RequestMeta): Promise<void>;
}

export function createEmailVerification({
  db,
  clock,
  credentials: { throttle, rules, emails },
  links,
  notices,
}: {
  db: Db;
  clock: Clock;
  credentials: Pick<Credentials, 'throttle' | 'rules' | 'emails'>;
  links: AccountLinks;
  notices: Notices;
}): EmailVerification {
  const send = async (accountId: string, email: string) => {
    notices.verifyEmail(email, await links.issue(accountId, 'verify_email'));
  };

  return {
    send,

    async resend(accountId, meta) {
      const found = await db
        .selectFrom('accounts')
        .select(['id', 'email_index', 'email_ciphertext', 'email_verified_at'])
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      if (found.email_verified_at !== null) return;
      const row = { email: emails.open(found) };
      const mailKey = throttleKey('mail', row.email, rules.mail);
      await throttle.check([mailKey, throttleKey('mail-address', meta.ip, rules.address)]);
      await throttle.fail([mailKey]);
      await send(accountId, row.email);
    },

    async verify(token, meta) {
      const accountId = await links.redeem(token, 'verify_email', meta);
      await db
        .updateTable('accounts')
        .set({ email_verified_at: clock.now() })
        .where('id', '=', accountId)
        .where('email_verified_at', 'is', null)
        .execute();
    },
  };
}
