/**
 * The SMTP Mailer (nodemailer), used when BURROW_SMTP_URL is set: `smtp://user:pass@host:587`
 * (STARTTLS when the server offers it) or `smtps://…:465` (implicit TLS). Credentials stay inside
 * the transport; the log records only that a mail was accepted.
 */
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { assertMail, type Mailer } from './mailer.js';

export interface SmtpMailerOptions {
  url: string;
  from: string;
  log?: Logger;
  /** Tests against a local sink without TLS: never try STARTTLS. */
  ignoreTLS?: boolean;
}

export interface SmtpMailer extends Mailer {
  close(): void;
}

export function createSmtpMailer({ url, from, log, ignoreTLS }: SmtpMailerOptions): SmtpMailer {
  const transport = createTransport(url, { from, ...(ignoreTLS ? { ignoreTLS: true } : {}) });
  return {
    async send(mail) {
      assertMail(mail);
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
      });
      log?.info({ mail: { toDomain: mail.to.split('@')[1], subject: mail.subject } }, 'mail sent over SMTP');
    },
    close() {
      transport.close();
    },
  };
}
