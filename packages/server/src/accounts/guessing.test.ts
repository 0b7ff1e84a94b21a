/**
 * Online guessing (issue 5): 1,000 wrong attempts against one account, from one address and from
 * 1,000 addresses, are slowed by doubling blocks with Retry-After and never succeed — not even with
 * the right password during a block — and the real user signs in once the block has passed.
 * Addresses are injected as the socket's remote address (no proxy is trusted, so X-Forwarded-For
 * is ignored).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../clock/index.js';
import { PASSWORD } from '../testing/fixtures.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { defaultThrottleRules } from './throttle.js';

let server: TestServer;
const clock = new ManualClock(Date.UTC(2026, 10, 1));
before(async () => {
  server = await startTestServer({ clock });
});
after(async () => {
  await server.close();
});

let n = 0;
const unique = (label: string) => `${label}-${++n}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function signUp(email: string) {
  const res = await server.app.inject({ method: 'POST', url: '/v1/accounts', payload: { email, password: PASSWORD }, remoteAddress: '10.9.9.9' });
  assert.equal(res.statusCode, 201, res.body);
}

function logIn(email: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'POST', url: '/v1/sessions', payload: { email, password }, remoteAddress, headers });
}

async function attack(email: string, addressOf: (i: number) => string) {
  const statuses = new Map<number, number>();
  let rightPasswordDuringBlock = 0;
  for (let i = 0; i < 1000; i++) {
    // The attacker even has the right password at attempt 500: a block still refuses it.
    const password = i === 500 ? PASSWORD : `guess number ${i} for the account`;
    const res = await logIn(email, password, addressOf(i));
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    if (i === 500) rightPasswordDuringBlock = res.statusCode;
    assert.notEqual(res.statusCode, 200, `attempt ${i} succeeded`);
    if (res.statusCode === 429) {
      assert.match(String(res.headers['retry-after']), /^\d+$/);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'rate_limited');
    }
  }
  return { statuses, rightPasswordDuringBlock };
}

test('1,000 wrong sign-ins from one address: a handful are checked, the rest are refused with 429 + Retry-After', async () => {
  const email = unique('victim');
  await signUp(email);
  const { statuses, rightPasswordDuringBlock } = await attack(email, () => '203.0.113.7');
  assert.equal(statuses.get(401), defaultThrottleRules.account.free + 1);
  assert.equal(statuses.get(429), 1000 - defaultThrottleRules.account.free - 1);
  assert.equal(rightPasswordDuringBlock, 429);
});

test('1,000 wrong sign-ins from 1,000 addresses are slowed the same way (the account is the key)', async () => {
  const email = unique('spread');
  await signUp(email);
  const { statuses } = await attack(email, (i) => `198.51.${Math.floor(i / 250)}.${i % 250}`);
  assert.equal(statuses.get(401), defaultThrottleRules.account.free + 1);
  assert.equal(statuses.get(429), 1000 - defaultThrottleRules.account.free - 1);
});

test('each further failure doubles the wait; the block expires and the real user signs in', async () => {
  const email = unique('patient');
  await signUp(email);
  const ip = '192.0.2.44';
  for (let i = 0; i <= defaultThrottleRules.account.free; i++) await logIn(email, `wrong ${i} wrong wrong`, ip);
  const waits: number[] = [];
  for (let round = 0; round < 4; round++) {
    const blocked = await logIn(email, 'still guessing here', ip);
    assert.equal(blocked.statusCode, 429);
    const wait = Number(blocked.headers['retry-after']);
    waits.push(wait);
    clock.advance(wait * 1000);
    assert.equal((await logIn(email, `wrong again ${round} ok`, ip)).statusCode, 401);
  }
  assert.deepEqual(waits, [1, 2, 4, 8]);
  // Never permanent: the longest block is 15 minutes; after it the real password works.
  clock.advance(defaultThrottleRules.account.maxDelayMs);
  const ok = await logIn(email, PASSWORD, '192.0.2.99');
  assert.equal(ok.statusCode, 200, ok.body);
  // And success clears the account's count: the next typo is an ordinary 401.
  assert.equal((await logIn(email, 'a typo in my password', '192.0.2.99')).statusCode, 401);
});

test('password spraying from one address: many accounts, one address, blocked after the address’s free tries', async () => {
  const ip = '203.0.113.200';
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await logIn(unique('sprayed'), 'Summer2026!Summer2026!', ip)).statusCode);
  assert.equal(statuses.filter((s) => s === 401).length, defaultThrottleRules.address.free + 1);
  assert.ok(statuses.slice(defaultThrottleRules.address.free + 1).every((s) => s === 429));
  // Another address is not affected.
  assert.equal((await logIn(unique('other'), 'whatever it is here', '203.0.113.201')).statusCode, 401);
});

test('no enumeration under throttling: a known and an unknown email get the same answers, block for block', async () => {
  const known = unique('known');
  await signUp(known);
  const unknown = unique('unknown');
  const run = async (email: string, ip: string) => {
    const out: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await logIn(email, `not it ${i} not it`, ip);
      out.push(`${res.statusCode} ${res.headers['retry-after'] ?? '-'} ${res.body}`);
    }
    return out;
  };
  assert.deepEqual(await run(known, '192.0.2.10'), await run(unknown, '192.0.2.11'));
});

test('X-Forwarded-For is ignored unless a proxy is trusted: it cannot buy fresh addresses', async () => {
  const ip = '203.0.113.77';
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++)
    statuses.push((await logIn(unique('xff'), 'one two three four five', ip, { 'x-forwarded-for': `10.0.0.${i}` })).statusCode);
  assert.ok(statuses.includes(429));
});

test('sign-up refusals count against the address too', async () => {
  const ip = '203.0.113.150';
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) {
    const res = await server.app.inject({ method: 'POST', url: '/v1/accounts', payload: { email: unique('weak'), password: 'password' }, remoteAddress: ip });
    statuses.push(res.statusCode);
  }
  assert.equal(statuses.filter((s) => s === 400).length, defaultThrottleRules.address.free + 1);
  assert.equal(statuses.at(-1), 429);
});
