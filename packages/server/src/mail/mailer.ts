/**
 * Mail as a port: one small interface, one file per adapter (outbox folder by default, SMTP when
 * configured), chosen once at start by `createMailer` (index.ts). Services never know which.
 *
 * Messages may carry single-use links (password reset, email verification): adapters must never put
 * a message's text into the structured log.
 */

/** One plain-text message, with an optional HTML alternative. `to` is one address. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /**
   * The client address of the request that caused the mail, when one did. Never sent: the canary
   * tripwire (tripwires/service.ts) names it when the mail is to a canary account.
   */
  readonly clientIp?: string;
}

export interface Mailer {
  /** Resolves once the message is handed over (written to the outbox, or accepted by the SMTP server). */
  send(mail: Mail): Promise<void>;
}

/** Header injection guard: a subject or address with a line break would start a new header. */
export function assertMail(mail: Mail): void {
  if (/[\r\n]/.test(mail.to) || /[\r\n]/.test(mail.subject))
    throw new Error('A mail header (to, subject) must be a single line.');
  if (!/^[^\s@]+@[^\s@]+$/.test(mail.to)) throw new Error('A mail needs one recipient address.');
}
