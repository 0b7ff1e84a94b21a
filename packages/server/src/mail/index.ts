/**
 * The Mailer port and its adapters. `createMailer` picks one from the config: SMTP when
 * `config.smtpUrl` is set, else the outbox folder `<dataDir>/outbox`.
 *
 *   const mailer = createMailer({ config, log });
 *   await mailer.send({ to, subject, text, html });
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CoreConfig as Config } from '../config.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outbox-mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

export * from './mailer.js';
export * from './outbox-mailer.js';
export * from './smtp-mailer.js';
export * from './memory-mailer.js';

export const DEFAULT_MAIL_FROM = 'Burrow <no-reply@burrow.localhost>';

export function createMailer({
  config,
  log,
  announce,
}: {
  config: Pick<Config, 'dataDir' | 'smtpUrl'> & { mailFrom?: string };
  log?: Logger;
  announce?: (line: string) => void;
}): Mailer {
  const from = config.mailFrom ?? DEFAULT_MAIL_FROM;
  if (config.smtpUrl) return createSmtpMailer({ url: config.smtpUrl, from, ...(log ? { log } : {}) });
  return createOutboxMailer({
    dir: join(config.dataDir, 'outbox'),
    from,
    ...(log ? { log } : {}),
    ...(announce ? { announce } : {}),
  });
}
