import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { PASSWORD } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { serveWeb, WEB_CSP } from '../web/serve-web.js';
import { API_CSP, PERMISSIONS_POLICY, registerSecurityHeaders } from './index.js';

let server: TestServer;
let token: string;
before(async () => {
  server = await startTestServer();
  const res = await server.app.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'h@example.com', password: PASSWORD } });
  token = res.json<{ token: string }>().token;
});
after(async () => {
  await server.close();
});

function assertHardened(res: LightMyRequestResponse, csp: string, what: string): void {
  const h = res.headers;
  assert.equal(h['content-security-policy'], csp, what);
  assert.match(String(h['content-security-policy']), /frame-ancestors 'none'/, what);
  assert.doesNotMatch(String(h['content-security-policy']), /unsafe-inline|unsafe-eval/, what);
  assert.equal(h['x-frame-options'], 'DENY', what);
  assert.equal(h['referrer-policy'], 'no-referrer', what);
  assert.equal(h['x-content-type-options'], 'nosniff', what);
  assert.match(String(h['permissions-policy']), /^microphone=\(self\), camera=\(self\), geolocation=\(\)/, what);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', what);
  assert.equal(h['strict-transport-security'], undefined, `${what}: no HSTS over plain HTTP`);
}

test('every API answer — success, error, 404, health, the API description — carries the hardening headers', async () => {
  const cases: [string, InjectOptions][] = [
    ['getMe 200', { method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } }],
    ['getMe 401', { method: 'GET', url: '/v1/me' }],
    ['logIn 400', { method: 'POST', url: '/v1/sessions', payload: {} }],
    ['unknown 404', { method: 'GET', url: '/v1/nothing-here' }],
    ['healthz', { method: 'GET', url: '/healthz' }],
    ['openapi', { method: 'GET', url: '/v1/openapi.json' }],
  ];
  for (const [what, options] of cases)
    assertHardened((await server.app.inject(options)), API_CSP, what);
});

test('HTML pages carry the web app’s strict CSP (no inline script) and the same other headers', async () => {
  const root = mkdtempSync(join(tmpdir(), 'burrow-web-'));
  const app = Fastify();
  try {
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Burrow</title>');
    writeFileSync(join(root, 'toy.html'), '<!doctype html><title>Toy</title>');
    writeFileSync(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    registerSecurityHeaders(app, { https: false, publicOrigin: null });
    await app.register(serveWeb, { root });
    for (const url of ['/', '/login', '/toy', '/index.html']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assertHardened(res, WEB_CSP, url);
      assert.match(WEB_CSP, /script-src 'self'/);
      assert.equal(res.headers['permissions-policy'], PERMISSIONS_POLICY);
    }
    // The service worker runs under the policy delivered with its script: the app's, so it may fetch.
    const sw = await app.inject({ method: 'GET', url: '/sw.js' });
    assert.equal(sw.statusCode, 200);
    assert.equal(sw.headers['content-security-policy'], WEB_CSP);
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('HSTS is sent on every answer when Burrow serves TLS itself', async () => {
  const app = Fastify();
  registerSecurityHeaders(app, { https: true, publicOrigin: null });
  app.get('/x', () => ({ ok: true }));
  const res = await app.inject({ method: 'GET', url: '/x' });
  assert.match(String(res.headers['strict-transport-security']), /^max-age=31536000; includeSubDomains$/);
  await app.close();
});

test('CSRF: a state-changing request from another site is refused, sign-in included', async () => {
  const host = new URL(server.url).host;
  const evil = await server.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: { origin: 'https://evil.example', host },
    payload: { email: 'h@example.com', password: PASSWORD },
  });
  assert.equal(evil.statusCode, 403);
  assert.equal(evil.json<{ error: { code: string } }>().error.code, 'forbidden');
  assert.equal(evil.headers['set-cookie'], undefined);
  const nullOrigin = await server.app.inject({ method: 'DELETE', url: '/v1/sessions', headers: { origin: 'null', host, cookie: `burrow_session=${token}` } });
  assert.equal(nullOrigin.statusCode, 403);
  const own = await server.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: { origin: `http://${host}`, host },
    payload: { email: 'h@example.com', password: PASSWORD },
  });
  assert.equal(own.statusCode, 200);
});

test('CSRF: a cookie-authenticated change must show it comes from this site; bearer clients need not', async () => {
  const host = new URL(server.url).host;
  const cookie = `burrow_session=${token}`;
  const bare = await server.app.inject({ method: 'POST', url: '/v1/me/email-verification', headers: { host, cookie } });
  assert.equal(bare.statusCode, 403);
  assert.match(bare.json<{ error: { message: string } }>().error.message, /Origin/);
  const sameSite = await server.app.inject({ method: 'POST', url: '/v1/me/email-verification', headers: { host, cookie, 'sec-fetch-site': 'same-site' } });
  assert.equal(sameSite.statusCode, 403);
  const fetchMeta = await server.app.inject({ method: 'POST', url: '/v1/me/email-verification', headers: { host, cookie, 'sec-fetch-site': 'same-origin' } });
  assert.equal(fetchMeta.statusCode, 202);
  const withOrigin = await server.app.inject({ method: 'DELETE', url: '/v1/sessions', headers: { host, cookie, origin: `http://${host}` } });
  assert.equal(withOrigin.statusCode, 200);
  const bearer = await server.app.inject({ method: 'DELETE', url: '/v1/sessions', headers: { authorization: `Bearer ${token}` } });
  assert.equal(bearer.statusCode, 200);
  // Reading needs no Origin.
  assert.equal((await server.app.inject({ method: 'GET', url: '/v1/me', headers: { host, cookie } })).statusCode, 200);
});
