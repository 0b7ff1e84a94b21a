/**
 * What honeywords cost: storing a password (sign-up, change, reset) and checking one (sign-in),
 * with k sweetwords per set against a plain argon2id hash (k = 1). Hasher level (argon2id m = 19 MiB,
 * t = 2, p = 1, the pepper, the honeychecker on its SQLite file) and over HTTP on a real server
 * (sign-up includes the password policy; sign-in the throttle and a session). Reported, not asserted.
 *
 *   npx tsx bench/honeywords.ts [--rounds 20]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../packages/server/src/accounts/passwords.js';
import { openHoneychecker } from '../packages/server/src/honeychecker/index.js';
import { startTestServer } from '../packages/server/src/testing/start-test-server.js';
import { httpClient } from '../packages/server/src/testing/http.js';
import { createHoneywordHasher } from '../packages/server/src/tripwires/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 20);
const PASSWORD = 'grandma reads the dragon story twice';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** Median wall time, and CPU time per operation (all threads: argon2 runs on the libuv pool), which a loaded machine disturbs less. */
async function time(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<string> {
  await fn();
  const xs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return `${median(xs).toFixed(1)} ms (CPU ${((cpu.user + cpu.system) / 1000 / rounds).toFixed(1)} ms)`;
}

const dir = mkdtempSync(join(tmpdir(), 'burrow-bench-hw-'));
const pepper = { secret: randomBytes(32), id: '0123456789abcdef' };
const inner = createPasswordHasher(pepper);
const honeychecker = openHoneychecker({ dir: join(dir, 'hc'), secret: randomBytes(32).toString('base64') });
console.log(`median of ${String(ROUNDS)}, ${new Date().toISOString()}\n`);
console.log('| k | store a password | check: right | check: wrong |');
console.log('|---|---|---|---|');
for (const k of [1, 10, 20]) {
  const hasher = createHoneywordHasher({ inner, pepper, honeychecker, k, onEvent: () => undefined });
  const stored = await hasher.hash(PASSWORD);
  console.log(
    `| ${String(k)} | ${await time(() => hasher.hash(PASSWORD))} | ${await time(() => hasher.verify(stored, PASSWORD))} | ${await time(() => hasher.verify(stored, 'not the password at all'))} |`,
  );
}
honeychecker.close();
rmSync(dir, { recursive: true, force: true });

console.log('\nOver HTTP (real server, SQLite):\n');
console.log('| k | sign-up | sign-in |');
console.log('|---|---|---|');
for (const k of [1, 20]) {
  const server = await startTestServer({
    postgresUrl: null,
    tripwires: { honeywords: k, canaryAccounts: 0 },
  });
  const call = httpClient(server.url);
  let n = 0;
  const signUp = await time(
    async () => {
      const r = await call('POST', '/v1/accounts', {
        body: { email: `bench${String(n++)}@example.com`, password: PASSWORD },
      });
      if (r.status !== 201) throw new Error(r.text);
    },
    Math.min(ROUNDS, 10),
  );
  const signIn = await time(async () => {
    const r = await call('POST', '/v1/sessions', {
      body: { email: 'bench0@example.com', password: PASSWORD },
    });
    if (r.status !== 200) throw new Error(r.text);
  });
  console.log(`| ${String(k)} | ${signUp} | ${signIn} |`);
  await server.close();
}
