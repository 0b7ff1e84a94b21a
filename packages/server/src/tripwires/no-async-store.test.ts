/**
 * No request enters an AsyncLocalStorage store. On Node 20 the first store entered switches on the
 * promise hooks for the whole process, and from then on every awaited promise of every request costs
 * about 80 ns more — some 6 % of a durable message's CPU (docs/performance.md, issue #11). The
 * tripwires used to keep each request's client address in one; alerts now get it handed to them
 * (service.ts), and tripwires.test.ts checks that every alert still names it.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, before, test } from 'node:test';
import { unrecorded } from '../db/index.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { httpClient, type Call } from '../testing/http.js';
import { expectStatus, PASSWORD, person } from '../testing/fixtures.js';

let server: TestServer;
let call: Call;
/** Stores entered since the counting began (run and enterWith both switch the hooks on). */
const entered: string[] = [];
let counting = false;
// Taken as descriptors (not as methods) so they are put back exactly and called with their `this`.
const proto = AsyncLocalStorage.prototype;
const runDescriptor = Object.getOwnPropertyDescriptor(proto, 'run');
const enterWithDescriptor = Object.getOwnPropertyDescriptor(proto, 'enterWith');
type Run = (this: AsyncLocalStorage<unknown>, store: unknown, callback: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown;
type EnterWith = (this: AsyncLocalStorage<unknown>, store: unknown) => void;
const run = runDescriptor?.value as Run;
const enterWith = enterWithDescriptor?.value as EnterWith;

before(async () => {
  AsyncLocalStorage.prototype.run = function <R>(this: AsyncLocalStorage<unknown>, store: unknown, callback: (...args: unknown[]) => R, ...args: unknown[]): R {
    if (counting) entered.push(new Error('run').stack ?? 'run');
    return run.call(this, store, callback, ...args) as R;
  };
  AsyncLocalStorage.prototype.enterWith = function (this: AsyncLocalStorage<unknown>, store: unknown): void {
    if (counting) entered.push(new Error('enterWith').stack ?? 'enterWith');
    enterWith.call(this, store);
  };
  server = await startTestServer({ tripwires: { canaryAccounts: 1 } });
  call = httpClient(server.url);
  await server.services.tripwires.planted;
});

after(async () => {
  if (runDescriptor) Object.defineProperty(proto, 'run', runDescriptor);
  if (enterWithDescriptor) Object.defineProperty(proto, 'enterWith', enterWithDescriptor);
  await server.close();
});

void test('signing up, signing in (right and wrong password) and reading the account enter no AsyncLocalStorage store', async () => {
  counting = true;
  const someone = await person(call, 'no-store');
  expectStatus(await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } }), 200, 'sign-in');
  expectStatus(await call('POST', '/v1/sessions', { body: { email: someone.email, password: 'not the password at all' } }), 401, 'wrong password');
  expectStatus(await call('GET', '/v1/me', { token: someone.token }), 200, 'me');
  await server.services.tripwires.settled();
  counting = false;
  assert.deepEqual(entered, [], 'no request entered a store');
});

void test('unrecorded() enters a store only when the query-shape recorder is on (tests that set BURROW_TEST_QUERY_SHAPES)', async () => {
  entered.length = 0;
  counting = true;
  const rows = await unrecorded(() => server.db.selectFrom('accounts').select('id').execute());
  counting = false;
  assert.ok(rows.length > 0);
  assert.equal(entered.length, process.env.BURROW_TEST_QUERY_SHAPES ? 1 : 0);
});
