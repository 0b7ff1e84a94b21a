/**
 * The honeychecker as its own service: the real `burrow honeychecker serve` spawned as a process,
 * a real Burrow server (SQLite, or PostgreSQL with BURROW_TEST_PG_URL) using it over HTTP, and the
 * doctor's check of it. A honeyword sign-in raises the alarm through the remote checker; requests
 * without the token, replayed, or malformed are refused and change nothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { honeycheckerServiceChecks } from '../doctor/honeychecker-checks.js';
import { honeycheckerDirOf } from '../load-config.js';
import { expectStatus, PASSWORD, person } from '../testing/fixtures.js';
import { httpClient, type Call } from '../testing/http.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { TRIPWIRE_SUMMARIES } from '../tripwires/index.js';
import { authHeaders } from './api-auth.js';
import { honeycheckerRequest } from './remote.js';

const token = randomBytes(32).toString('base64');
const root = mkdtempSync(join(tmpdir(), 'burrow-hc-service-'));
const hcDir = join(root, 'honeychecker');
let child: ChildProcess;
let url: string;
let output = '';
let server: TestServer;
let call: Call;

/** Waits until the service's output matches (it prints "listening on URL" when ready). */
function waitForOutput(pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = pattern.exec(output);
      if (m) {
        child.stdout?.off('data', look);
        resolve(m);
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => {
      reject(new Error(`the honeychecker exited (${String(code)}): ${output}`));
    });
    look();
  });
}

before(async () => {
  const bin = fileURLToPath(new URL('../../bin/burrow.mjs', import.meta.url));
  child = spawn(process.execPath, [bin, 'honeychecker', 'serve', '--listen', '127.0.0.1:0', '--dir', hcDir], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BURROW_HONEYCHECKER_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  url = (await waitForOutput(/listening on (http:\/\/\S+)/))[1] ?? '';
  server = await startTestServer({ tripwires: { honeycheckerUrl: url, honeycheckerToken: token } });
  call = httpClient(server.url);
});

after(async () => {
  // The service first: a failed start of the node must not leave it running after the test.
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

void test('a honeyword sign-in raises the alarm through the honeychecker service; the real password signs in', async () => {
  const tw = server.services.tripwires;
  assert.equal(tw.honeychecker.file, url, 'the node uses the service, not a local store');
  assert.ok(!existsSync(honeycheckerDirOf(server.config)), 'the node made no local honeychecker folder');
  const someone = await person(call, 'remote');
  assert.ok(tw.hasher);
  const decoy = 'a long enough test passwore';
  const stored = await tw.hasher.hashSweetwords([decoy, 'another long test password', PASSWORD], 2);
  await server.db
    .updateTable('accounts')
    .set({ password_hash: stored.hash, pepper_id: stored.pepperId })
    .where('id', '=', someone.accountId)
    .execute();
  // A plain wrong password is no alarm at the service (the node asks with index -1).
  expectStatus(await call('POST', '/v1/sessions', { body: { email: someone.email, password: 'simply not the password' } }), 401);
  assert.doesNotMatch(output, /a decoy or canary password was checked/);
  const viaDecoy = await call('POST', '/v1/sessions', { body: { email: someone.email, password: decoy } });
  assert.equal(viaDecoy.status, 401);
  await tw.settled();
  const opened = await server.db
    .selectFrom('incidents')
    .select('summary')
    .where('summary', '=', TRIPWIRE_SUMMARIES['honeyword-login'])
    .execute();
  assert.equal(opened.length, 1, 'the honeyword opened an incident');
  // The service raises its own alarm too, whatever the node that asked does with the verdict.
  await waitForOutput(/a decoy or canary password was checked/);
  expectStatus(
    await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } }),
    200,
    'the real password, checked remotely',
  );
});

void test('the service refuses a wrong token, an unsigned or replayed request and bad input, and changes nothing', async () => {
  const wrong = randomBytes(32).toString('base64');
  await assert.rejects(honeycheckerRequest(url, wrong, 'POST', '/v1/sets', { setId: 'stolen-set', index: 0 }), /refused/);
  const check = (await honeycheckerRequest(url, token, 'POST', '/v1/check', { setId: 'stolen-set', index: 0 })) as { verdict: string };
  assert.equal(check.verdict, 'unknown', 'the refused request recorded nothing');
  assert.equal((await fetch(`${url}/v1/canaries`)).status, 401, 'unsigned');
  // The same signed request sent twice: the second is a replay.
  const headers = authHeaders(token, 'GET', '/v1/canaries', '');
  assert.equal((await fetch(`${url}/v1/canaries`, { headers })).status, 200);
  assert.equal((await fetch(`${url}/v1/canaries`, { headers })).status, 401, 'replayed');
  const stale = authHeaders(token, 'GET', '/v1/canaries', '', Date.now() - 10 * 60_000);
  assert.equal((await fetch(`${url}/v1/canaries`, { headers: stale })).status, 401, 'ten minutes old');
  for (const body of ['not json', '{"setId":"x","index":-2}', '{"setId":"","index":0}', '[1]']) {
    const r = await fetch(`${url}/v1/sets`, { method: 'POST', body, headers: authHeaders(token, 'POST', '/v1/sets', body) });
    assert.equal(r.status, 400, body);
  }
  const canary = '{"kind":"nonsense","id":"x"}';
  const bad = await fetch(`${url}/v1/canaries`, { method: 'POST', body: canary, headers: authHeaders(token, 'POST', '/v1/canaries', canary) });
  assert.equal(bad.status, 400);
});

void test('doctor: the service reachable with the right token passes; a wrong token or a stopped service is a finding', async () => {
  const good = await honeycheckerServiceChecks(server.config);
  assert.deepEqual(good.findings, []);
  assert.match(good.passed.join('\n'), /answers signed requests/);
  const tripwires = { ...server.config.tripwires, honeycheckerToken: randomBytes(32).toString('base64') };
  const refused = await honeycheckerServiceChecks({ ...server.config, tripwires });
  assert.deepEqual(refused.findings.map((f) => f.check), ['honeychecker-reachable']);
  const gone = { ...server.config.tripwires, honeycheckerUrl: `unix:${join(root, 'nobody.sock')}` };
  const unreachable = await honeycheckerServiceChecks({ ...server.config, tripwires: gone });
  assert.deepEqual(unreachable.findings.map((f) => f.check), ['honeychecker-reachable']);
  // Its store inside this node's data folder is not "kept apart".
  const inside = await honeycheckerServiceChecks({ ...server.config, dataDir: root });
  assert.deepEqual(inside.findings.map((f) => f.check), ['honeychecker-location']);
});

// Last: it stops the service.
void test('with the service stopped, a sign-in is answered 503 with Retry-After, not 500, and opens no session', async () => {
  const someone = await person(call, 'stopped');
  const sessionsBefore = await server.db.selectFrom('sessions').select('id').where('account_id', '=', someone.accountId).execute();
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  const r = await call('POST', '/v1/sessions', { body: { email: someone.email, password: PASSWORD } });
  assert.equal(r.status, 503, r.text);
  assert.equal((r.json as { error: { code: string } }).error.code, 'unavailable');
  assert.equal(r.headers.get('retry-after'), '5');
  const sessionsAfter = await server.db.selectFrom('sessions').select('id').where('account_id', '=', someone.accountId).execute();
  assert.equal(sessionsAfter.length, sessionsBefore.length, 'no session was opened');
});
