import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { createLogger } from '../logger.js';
import { startSmtpSink } from '../testing/smtp-sink.js';
import { createMailer, createOutboxMailer, createSmtpMailer, type Mail, type Mailer } from './index.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const mail: Mail = {
  to: 'grandma@example.com',
  subject: 'Ünïcode subject — confirm your email',
  text: 'Open https://burrow.example/verify#t=abc123 to confirm.\n',
  html: '<p>Open <a href="https://burrow.example/verify#t=abc123">this link</a>.</p>',
};

/** Every adapter passes the same contract: what was sent is what a mail client reads. */
async function contract(name: string, make: () => Promise<{ mailer: Mailer; read: () => Promise<{ to: string; subject: string; text: string; html: string | null }[]>; close: () => Promise<void> }>) {
  await test(`${name}: a mail arrives with its recipient, subject, text and HTML intact`, async () => {
    const { mailer, read, close } = await make();
    try {
      await mailer.send(mail);
      await mailer.send({ to: 'b@example.com', subject: 'plain', text: 'only text' });
      const got = await read();
      assert.equal(got.length, 2);
      const first = got.find((m) => m.to === 'grandma@example.com');
      assert.ok(first);
      assert.equal(first.subject, mail.subject);
      assert.equal(first.text.trim(), mail.text.trim());
      assert.match(first.html ?? '', /this link/);
      const second = got.find((m) => m.to === 'b@example.com');
      assert.equal(second?.text.trim(), 'only text');
    } finally {
      await close();
    }
  });
  await test(`${name}: a header with a line break is refused (no header injection)`, async () => {
    const { mailer, close } = await make();
    try {
      await assert.rejects(mailer.send({ ...mail, subject: 'hi\r\nBcc: x@evil.example' }));
      await assert.rejects(mailer.send({ ...mail, to: 'a@example.com\nBcc: x@evil.example' }));
    } finally {
      await close();
    }
  });
}

void contract('outbox', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'burrow-outbox-')), 'outbox');
  dirs.push(dir);
  return Promise.resolve({
    mailer: createOutboxMailer({ dir, from: 'Burrow <no-reply@example.com>' }),
    read: async () => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return [];
      }
      return Promise.all(
        names.map(async (n) => {
          const p = await simpleParser(readFileSync(join(dir, n)));
          const to = Array.isArray(p.to) ? '' : (p.to?.value[0]?.address ?? '');
          return { to, subject: p.subject ?? '', text: p.text ?? '', html: typeof p.html === 'string' ? p.html : null };
        }),
      );
    },
    close: () => Promise.resolve(),
  });
});

void contract('smtp', async () => {
  const sink = await startSmtpSink();
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@example.com>', ignoreTLS: true });
  return {
    mailer,
    read: () => Promise.resolve(sink.mails),
    close: async () => {
      mailer.close();
      await sink.close();
    },
  };
});

test('the outbox is owner-only, logs no mail text, and announces links only when asked', async () => {
  const root = mkdtempSync(join(tmpdir(), 'burrow-outbox-'));
  dirs.push(root);
  const lines: string[] = [];
  const announced: string[] = [];
  const mailer = createMailer({
    config: { dataDir: root, smtpUrl: null },
    log: createLogger('info', { write: (l: string) => void lines.push(l) }),
    announce: (l) => announced.push(l),
  });
  await mailer.send(mail);
  const dir = join(root, 'outbox');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const [file] = readdirSync(dir);
  assert.ok(file);
  assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
  const log = lines.join('\n');
  assert.match(log, /mail written to the outbox/);
  assert.ok(!log.includes('abc123'), 'the link is not in the structured log');
  assert.ok(!log.includes('grandma@'), 'the full address is not in the log');
  assert.equal(announced.length, 1);
  assert.match(announced[0] ?? '', /https:\/\/burrow\.example\/verify#t=abc123/);
});
