/**
 * The set-up shared by the tests of mail-driven flows (accounts/mail-flows.test.ts,
 * recovery/recovery.test.ts): a test server on the test's clock that mails through a real SMTP sink
 * (links to https://burrow.test), and requests made as a browser from one address. Call
 * `mailFlows(clock)` at the top of a test file: it starts both before the tests and closes them after.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Clock } from '../clock/index.js';
import { createSmtpMailer, type SmtpMailer } from '../mail/index.js';
import { PASSWORD } from './fixtures.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { startTestServer, type TestServer } from './start-test-server.js';

export const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface MailFlows {
  /** Both there once the file's `before` hook has run. */
  readonly server: TestServer;
  readonly sink: SmtpSink;
  /** An injected request from 192.0.2.1 with the user agent `ua` (default Firefox). */
  req: (
    method: Method,
    url: string,
    payload?: object,
    token?: string,
    ua?: string,
  ) => Promise<LightMyRequestResponse>;
  /** A fresh email address. */
  unique: (label: string) => string;
  /** The token of the https://burrow.test`path` link in a mail's text. */
  tokenIn: (text: string, path: string) => string;
  /** Signs `email` up with PASSWORD; returns the session token. */
  signUp: (email: string) => Promise<string>;
}

export function mailFlows(clock: Clock): MailFlows {
  let server: TestServer | undefined;
  let sink: SmtpSink | undefined;
  let mailer: SmtpMailer | undefined;
  let n = 0;
  const flows: MailFlows = {
    get server() {
      assert.ok(server, 'the mail-flows server starts in before()');
      return server;
    },
    get sink() {
      assert.ok(sink, 'the SMTP sink starts in before()');
      return sink;
    },
    req: (method, url, payload, token, ua = FIREFOX) =>
      flows.server.app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload }),
        headers: { 'user-agent': ua, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        remoteAddress: '192.0.2.1',
      }),
    unique: (label) => `${label}-${++n}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    tokenIn: (text, path) => {
      const m = new RegExp(`https://burrow\\.test${path}#token=(bl_[A-Za-z0-9_-]{43})`).exec(text);
      assert.ok(m?.[1], `no ${path} link in: ${text}`);
      return m[1];
    },
    signUp: async (email) => {
      const res = await flows.req('POST', '/v1/accounts', { email, password: PASSWORD });
      assert.equal(res.statusCode, 201, res.body);
      return res.json<{ token: string }>().token;
    },
  };
  before(async () => {
    sink = await startSmtpSink();
    mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <no-reply@burrow.test>', ignoreTLS: true });
    server = await startTestServer({ clock, mailer, accountSecurity: { publicUrl: 'https://burrow.test' } });
  });
  after(async () => {
    await server?.close();
    mailer?.close();
    await sink?.close();
  });
  return flows;
}
