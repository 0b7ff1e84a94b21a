/**
 * The mails erasure sends. Like the account mails (accounts/notices.ts), sending never fails the
 * request that caused it — the deletion is done either way — and failures are logged without content.
 * They carry no link: nothing can be undone from a mail.
 */
import type { Logger } from 'pino';
import type { Mail, Mailer } from '../mail/index.js';

export interface ErasureMail {
  accountDeleted(to: string): void;
  /** To a family's guardians: a member deleted their account; their devices wait to leave the roster. */
  memberLeft(to: string): void;
  familyDeleted(to: string, byYou: boolean): void;
  /** To every member of a family deleted because nobody signed in for the inactivity period (inactivity/). */
  inactiveFamilyDeleted(to: string): void;
  /** Resolves when every mail queued so far has been handed over (tests, shutdown). */
  flush(): Promise<void>;
}

export function createErasureMail({ mailer, log }: { mailer: Mailer; log: Logger }): ErasureMail {
  const pending = new Set<Promise<void>>();
  const send = (mail: Mail): void => {
    const p = mailer.send(mail).catch((err: unknown) => {
      log.error(
        { err: err instanceof Error ? err.message : String(err), subject: mail.subject },
        'erasure mail failed',
      );
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    accountDeleted(to) {
      send({
        to,
        subject: 'Your Burrow account was deleted',
        text: 'Your Burrow account was deleted, as you asked. Its sign-ins, devices, keys, passkeys, recovery codes and security log are gone from our servers, and you have left your families.\n\nEncrypted backups keep a copy until they age out (see the privacy notice). This is the last mail we send to this address.\n\nIf you did not do this, someone knew your password (and second factor): reply to this mail at once.\n',
      });
    },
    memberLeft(to) {
      send({
        to,
        subject: 'Someone left your Burrow family',
        text: 'A member of your Burrow family deleted their account. They can no longer sign in, send or hear anything.\n\nTheir devices are still in the family list that your toys check: open Burrow, go to Family and press “Remove devices of deleted accounts” so the toys forget them too.\n',
      });
    },
    familyDeleted(to, byYou) {
      send({
        to,
        subject: 'Your Burrow family was deleted',
        text: `${byYou ? 'You deleted your Burrow family.' : 'A guardian deleted your Burrow family.'} Its messages, recordings, child profiles, toys and invitations are gone from our servers; its toys were unpaired and wiped themselves.\n\nYour own account stays: you can join or start another family. Encrypted backups keep a copy until they age out (see the privacy notice).\n`,
      });
    },
    inactiveFamilyDeleted(to) {
      send({
        to,
        subject: 'Your Burrow family was deleted after a long time unused',
        text: 'Nobody in your Burrow family had signed in for a long time, and nobody signed in after the warning we mailed to its guardians, so the family was deleted, as the privacy notice says. Its messages, recordings, child profiles, toys and invitations are gone from our servers; its toys were unpaired and wiped themselves.\n\nYour own account stays: you can join or start another family. Encrypted backups keep a copy until they age out (see the privacy notice).\n',
      });
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
