/**
 * The account mails: what they say and how they are sent. Sending never fails the request that
 * caused it (a mail server outage must not block a sign-in): failures are logged without content.
 * Messages carry no secret but the one link they exist for, and say what to do if it was not you.
 */
import type { Logger } from 'pino';
import type { Mail, Mailer } from '../mail/index.js';

export interface Notices {
  verifyEmail(to: string, link: string): void;
  /** `clientIp`: the address that asked (never in the mail; the canary tripwire names it). */
  resetPassword(to: string, link: string, clientIp: string): void;
  newSignIn(to: string, details: { browser: string; ip: string; at: number }): void;
  securityChange(to: string, what: string): void;
  /** Someone tried to sign up with an address that already has an account. */
  signUpAttempt(to: string, details: { browser: string; ip: string; at: number }): void;
  /** Resolves when every mail queued so far has been handed over (tests, shutdown). */
  flush(): Promise<void>;
}

const NOT_YOU =
  'If this was not you, reset your password now from the sign-in page and sign out your other sessions under Security.';

export function createNotices({ mailer, log }: { mailer: Mailer; log: Logger }): Notices {
  const pending = new Set<Promise<void>>();
  const send = (mail: Mail): void => {
    const p = mailer.send(mail).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err), subject: mail.subject }, 'account mail failed');
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    verifyEmail(to, link) {
      send({
        to,
        subject: 'Confirm your email for Burrow',
        text: `Welcome to Burrow.\n\nConfirm this is your email address by opening this link within 24 hours:\n\n${link}\n\nIf you did not sign up, ignore this mail: nothing happens without the link.\n`,
      });
    },
    resetPassword(to, link, clientIp) {
      send({
        to,
        clientIp,
        subject: 'Reset your Burrow password',
        text: `Someone asked to reset the password of your Burrow account.\n\nTo choose a new password, open this link within 1 hour. It works once:\n\n${link}\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n`,
      });
    },
    newSignIn(to, { browser, ip, at }) {
      send({
        to,
        subject: 'New sign-in to your Burrow account',
        text: `Your Burrow account was just signed in to from a browser it had not seen before.\n\nBrowser: ${browser}\nAddress: ${ip}\nTime: ${new Date(at).toUTCString()}\n\n${NOT_YOU}\n`,
      });
    },
    securityChange(to, what) {
      send({
        to,
        subject: 'A security change on your Burrow account',
        text: `${what}\n\n${NOT_YOU}\n`,
      });
    },
    signUpAttempt(to, { browser, ip, at }) {
      send({
        to,
        clientIp: ip,
        subject: 'Someone tried to sign up to Burrow with your address',
        text: `Someone tried to create a new Burrow account with this email address, which already has one. No account was created and nothing changed on yours.\n\nBrowser: ${browser}\nAddress: ${ip}\nTime: ${new Date(at).toUTCString()}\n\nIf it was you, sign in instead (or reset your password from the sign-in page). If it was not, you need do nothing.\n`,
      });
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
