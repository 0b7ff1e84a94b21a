import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { PASSWORD } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { SESSION_IDLE_MS, SESSION_TTL_MS } from './store.js';

let server: TestServer;
const clock = new ManualClock(Date.now());
before(async () => {
  server = await startTestServer({ clock });
});
after(async () => {
  await server.close();
});

const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

interface View {
  sessionId: string;
  current: boolean;
  browser: string;
  system: string | null;
  ip: string | null;
  lastUsedAt: number;
}
let n = 0;
const req = (method: 'GET' | 'POST' | 'DELETE', url: string, o: { token?: string; payload?: object; ua?: string; ip?: string } = {}) =>
  server.app.inject({
    method,
    url,
    ...(o.payload ? { payload: o.payload } : {}),
    headers: { ...(o.ua ? { 'user-agent': o.ua } : {}), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
    remoteAddress: o.ip ?? '192.0.2.5',
  });

async function account() {
  const email = `sessions-${++n}@example.com`;
  const a = (await req('POST', '/v1/accounts', { payload: { email, password: PASSWORD }, ua: CHROME_ANDROID, ip: '198.51.100.1' })).json<{ token: string }>().token;
  const b = (await req('POST', '/v1/sessions', { payload: { email, password: PASSWORD }, ua: FIREFOX_WINDOWS, ip: '198.51.100.2' })).json<{ token: string }>().token;
  return { email, a, b };
}

test('the sessions list shows each session’s browser, system, address and last use, and which is current', async () => {
  const { a } = await account();
  const res = await req('GET', '/v1/sessions', { token: a, ua: CHROME_ANDROID });
  assert.equal(res.statusCode, 200);
  const { sessions } = res.json<{ sessions: View[] }>();
  assert.equal(sessions.length, 2);
  const mine = sessions.find((s) => s.current);
  const other = sessions.find((s) => !s.current);
  assert.deepEqual([mine?.browser, mine?.system, mine?.ip], ['Chrome', 'Android', '198.51.100.1']);
  assert.deepEqual([other?.browser, other?.system, other?.ip], ['Firefox', 'Windows', '198.51.100.2']);
  // Nothing secret in it.
  assert.ok(!res.body.includes(a));
});

test('revoking one session ends it; another account’s session id is a 404', async () => {
  const { a, b } = await account();
  const other = await account();
  const { sessions } = (await req('GET', '/v1/sessions', { token: a })).json<{ sessions: View[] }>();
  const target = sessions.find((s) => !s.current);
  assert.ok(target);
  const theirs = (await req('GET', '/v1/sessions', { token: other.a })).json<{ sessions: View[] }>().sessions[0];
  assert.ok(theirs);
  assert.equal((await req('DELETE', `/v1/sessions/${theirs.sessionId}`, { token: a })).statusCode, 404);
  assert.equal((await req('GET', '/v1/me', { token: other.a })).statusCode, 200);
  assert.equal((await req('DELETE', `/v1/sessions/${target.sessionId}`, { token: a })).statusCode, 204);
  assert.equal((await req('GET', '/v1/me', { token: b })).statusCode, 401);
  assert.equal((await req('GET', '/v1/me', { token: a })).statusCode, 200);
  assert.equal((await req('DELETE', '/v1/sessions/not-an-id', { token: a })).statusCode, 400);
});

test('“sign out everywhere else” ends every other session and keeps this one', async () => {
  const { email, a, b } = await account();
  const c = (await req('POST', '/v1/sessions', { payload: { email, password: PASSWORD } })).json<{ token: string }>().token;
  const res = await req('DELETE', '/v1/sessions', { token: a });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { ended: 2 });
  for (const t of [b, c]) assert.equal((await req('GET', '/v1/me', { token: t })).statusCode, 401);
  assert.equal((await req('GET', '/v1/me', { token: a })).statusCode, 200);
});

test('a session ends after 7 idle days, and after 30 days however much it is used', async () => {
  const { a, b } = await account();
  // Keep `a` in use every 6 days; leave `b` idle.
  for (let day = 6; day < 30; day += 6) {
    clock.advance(6 * 24 * 60 * 60 * 1000);
    assert.equal((await req('GET', '/v1/me', { token: a })).statusCode, 200, `day ${day}`);
  }
  assert.equal((await req('GET', '/v1/me', { token: b })).statusCode, 401, 'idle for more than 7 days');
  assert.ok(SESSION_IDLE_MS < SESSION_TTL_MS);
  clock.advance(SESSION_TTL_MS - 24 * 24 * 60 * 60 * 1000);
  const ended = await req('GET', '/v1/me', { token: a });
  assert.equal(ended.statusCode, 401);
  assert.match(ended.json<{ error: { message: string } }>().error.message, /session has ended/);
});

test('ending sessions from the Security page is recorded as a security event', async () => {
  const { a } = await account();
  const ended = await req('DELETE', '/v1/sessions', { token: a, ip: '192.0.2.9' });
  assert.equal(ended.statusCode, 200);
  assert.equal(ended.json<{ ended: number }>().ended, 1);
  const events = (await req('GET', '/v1/me/security-events', { token: a })).json<{ events: { kind: string; ip: string | null }[] }>().events;
  assert.equal(events[0]?.kind, 'other_sessions_revoked');
  assert.equal(events[0]?.ip, '192.0.2.9');
});
