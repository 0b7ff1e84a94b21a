/**
 * The embedded default Mailer: each message is written as an RFC 5322 `.eml` file (owner-only) under
 * `<dataDir>/outbox`, so `npm start` needs no mail server. The structured log records that a mail
 * was written (recipient's domain, subject, file) but never its text; in development the caller may
 * pass `announce` to print the links it carries on the console, so a person trying Burrow can click
 * the verification or reset link.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { assertMail, type Mail, type Mailer } from './mailer.js';

export interface OutboxMailerOptions {
  /** The folder to write to (created 0700). */
  dir: string;
  from: string;
  log?: Logger;
  /** Called with each link (http/https URL) a message carries; development only. */
  announce?: (line: string) => void;
}

/** RFC 2047 encoded-word for a non-ASCII subject. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function toEml(mail: Mail, from: string, date: Date): string {
  const boundary = `burrow-${randomBytes(12).toString('hex')}`;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const head = [
    `From: ${from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@burrow.local>`,
    'MIME-Version: 1.0',
  ];
  if (mail.html === undefined) {
    return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', b64(mail.text), ''].join('\r\n');
  }
  return [
    ...head,
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(mail.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(mail.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

export function createOutboxMailer({ dir, from, log, announce }: OutboxMailerOptions): Mailer {
  let ready = false;
  return {
    async send(mail) {
      assertMail(mail);
      if (!ready) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(dir, 0o700);
        ready = true;
      }
      const now = new Date();
      const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      await writeFile(file, toEml(mail, from, now), { mode: 0o600, flag: 'wx' });
      log?.info({ mail: { toDomain: mail.to.split('@')[1], subject: mail.subject, file } }, 'mail written to the outbox');
      if (announce) {
        for (const link of mail.text.match(/https?:\/\/\S+/g) ?? [])
          announce(`Mail to ${mail.to} (“${mail.subject}”): ${link}`);
      }
    },
  };
}
