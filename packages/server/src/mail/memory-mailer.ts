/** A Mailer that keeps messages in memory: for unit tests that read what would have been sent. */
import { assertMail, type Mail, type Mailer } from './mailer.js';

export interface MemoryMailer extends Mailer {
  readonly sent: Mail[];
}

export function createMemoryMailer(): MemoryMailer {
  const sent: Mail[] = [];
  return {
    sent,
    send(mail) {
      assertMail(mail);
      sent.push(mail);
      return Promise.resolve();
    },
  };
}
