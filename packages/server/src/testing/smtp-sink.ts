/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that keeps every message it accepts, parsed with
 * mailparser, for tests that read the mail Burrow sends. No TLS, no auth: point the SMTP Mailer at
 * `url` with `ignoreTLS`.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SinkMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  from: string;
}

export interface SmtpSink {
  url: string;
  mails: SinkMail[];
  /** Resolves with the first mail to `to` (optionally whose subject matches) not yet taken. */
  next(to: string, subject?: RegExp, timeoutMs?: number): Promise<SinkMail>;
  close(): Promise<void>;
}

function addressText(a: ParsedMail['to']): string {
  if (a === undefined) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.value.map((v) => v.address ?? '').join(',')).join(',');
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const taken = new Set<SinkMail>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    // No reverse DNS of the loopback client: on a closed network it stalls the first mail for ~10 s.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({
            to: addressText(parsed.to),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
          });
          callback();
        },
        (err: Error) => {
          callback(err);
        },
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('The SMTP sink has no address.');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    mails,
    async next(to, subject, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = mails.find((m) => !taken.has(m) && m.to === to && (subject === undefined || subject.test(m.subject)));
        if (hit) {
          taken.add(hit);
          return hit;
        }
        if (Date.now() > until) throw new Error(`no mail to ${to}${subject ? ` matching ${String(subject)}` : ''}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
