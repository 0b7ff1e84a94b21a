/**
 * Three Burrow nodes, one installation (issue #12 item 6): three real server processes on one
 * PostgreSQL database, one S3 bucket (s3rver), this run's own nats-server and redis-server (so it can
 * restart them) and the honeychecker as its own process (`burrow honeychecker serve`). The toy reaches the nodes through a small load balancer
 * (scripts/cluster-balancer.ts) that prefers node B, as a balancer keeps a stream where it landed.
 *
 * A guardian on node A sends and the toy on node B receives it; a relative on node C hears the toy's
 * answer; sign-ups and wrong log-ins spread over the three nodes meet one limit; a block issued on A
 * refuses the sender on C at once; node B is killed and the toy, reconnecting through the balancer
 * to C, receives every message acknowledged meanwhile, once; NATS and Redis are restarted in turn
 * during sends and nothing acknowledged is lost or played twice; unpairing on A reaches it on C.
 * Each node reaches NATS through a TCP proxy of its own, so one node's link can be cut alone: a
 * message sent while node B's link (then node A's) is down reaches the toy once the link is back,
 * without another send, and /readyz says `degraded` meanwhile.
 *
 * Always PostgreSQL (several nodes cannot share SQLite), so it runs once, whichever lane runs it.
 * Every process and server it starts is stopped in after() with a bounded wait and SIGKILL behind it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ApiClient, FamilyDevice, isApiError, MemoryStore, type Grant } from '@burrow/client';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import { freePort, nodeEntry, watchChild, type WatchedChild } from '../packages/server/src/testing/processes.js';
import { startTestS3, type TestS3 } from '../packages/server/src/testing/s3rver.js';
import { parseBackend, startBalancer, type Balancer } from '../scripts/cluster-balancer.js';

// Not from world.ts: that one starts in-process servers, and this file starts none (it runs once).
const PASSWORD = 'quiet maple lantern drifts by the old river';

async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const root = fileURLToPath(new URL('..', import.meta.url));
/** The PostgreSQL server to create this run's database on (the machine's own, trust auth). */
const PG_ADMIN_URL = process.env.BURROW_MULTI_NODE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(4).toString('hex');
const database = `burrow_multinode_${run}`;
// Generous: a node under tsx on a loaded 2-core machine took 97 s to listen (load 39); the runner stops a hook at 300 s.
const START_MS = 240_000;
const WAIT_MS = 30_000;

interface Node {
  url: string;
  child: ChildProcessWithoutNullStreams;
  watched: WatchedChild;
}

let scratch: string;
let pgProxy: TcpProxy;
/** Each node's own way to NATS (index as nodes), so the test can cut one node's link alone. */
const natsLinks: TcpProxy[] = [];
let nats: Daemon;
let redis: Daemon;
let honeychecker: { url: string; token: string };
let balancer: Balancer;
const startedAt = Date.now();
let s3: TestS3 | null = null;
let databaseCreated = false;
const nodes: Node[] = [];
const stops: (() => Promise<void>)[] = [];

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The nodes' database URL: this run's database, reached through `pgProxy` (so the test can cut it). */
function databaseUrl(): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  url.host = `127.0.0.1:${String(pgProxy.port)}`;
  return url.toString();
}

/**
 * A TCP proxy in front of the machine's PostgreSQL, so the test can take the database away from the
 * nodes without touching the shared service others' tests use. `cut()` is what a restart looks like
 * to a client: every open connection is dropped and new ones are refused (nothing listens on the
 * port) until `restore()`.
 */
interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

async function tcpProxy(target: URL): Promise<TcpProxy> {
  const port = await freePort();
  const open = new Set<Socket>();
  let server: Server | null = null;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = createConnection(Number(target.port || '5432'), target.hostname);
        for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
          open.add(a);
          a.pipe(b);
          a.on('error', () => b.destroy());
          a.on('close', () => {
            open.delete(a);
            b.destroy();
          });
        }
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const proxy: TcpProxy = {
    port,
    async cut() {
      const s = server;
      server = null;
      const closed = s ? new Promise((r) => s.close(r)) : Promise.resolve();
      for (const socket of open) socket.destroy();
      await closed;
    },
    async restore() {
      if (!server) await listen();
    },
  };
  stops.push(() => proxy.cut());
  await listen();
  return proxy;
}

/** Starts `burrow serve` (main.ts: its compiled twin under npm test, else through tsx) as node `n` of the installation. */
async function startNode(n: number, s3Options: TestS3['options']): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, nodeEntry(root, 'packages/server/src/main.ts'), {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      BURROW_DATA_DIR: join(scratch, `node-${String(n)}`),
      BURROW_DATABASE_URL: databaseUrl(),
      BURROW_S3_BUCKET: s3Options.bucket,
      BURROW_S3_ENDPOINT: s3Options.endpoint ?? '',
      BURROW_S3_REGION: s3Options.region,
      BURROW_S3_ACCESS_KEY_ID: s3Options.accessKeyId,
      BURROW_S3_SECRET_ACCESS_KEY: s3Options.secretAccessKey,
      BURROW_NATS_URL: `nats://127.0.0.1:${String(natsLink(n - 1).port)}`,
      BURROW_NATS_SUBJECT_PREFIX: `burrow.multinode${run}`,
      BURROW_REDIS_URL: `redis://127.0.0.1:${String(redis.port)}`,
      // One installation: a password set through one node is checked on another.
      BURROW_PEPPER: `multi-node-pepper-${run}-0123456789abcdef`,
      BURROW_SESSION_KEY: `multi-node-session-key-${run}-0123456789`,
      BURROW_REDIS_KEY_PREFIX: `burrow-multinode-${run}:`,
      BURROW_HONEYCHECKER_URL: honeychecker.url,
      BURROW_HONEYCHECKER_TOKEN: honeychecker.token,
      // Client addresses from X-Forwarded-For, so the test can be many senders; five failed
      // sign-ins from one address block it (anomalies/, the block kept in Redis).
      BURROW_TRUST_PROXY: '127.0.0.1',
      BURROW_ANOMALIES: JSON.stringify({ failedSignInsPerIp: { alertAt: 5 } }),
      BURROW_CANARY_ACCOUNTS: '0',
      BURROW_ARGON2_MEMORY_KIB: '64',
      BURROW_ARGON2_TIME_COST: '1',
      BURROW_LOG_LEVEL: 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  const node = { url: `http://127.0.0.1:${String(port)}`, child, watched };
  stops.push(() => stopChild(node));
  if (!(await watched.until('Burrow is listening', START_MS)))
    throw new Error(`node ${String(n)} did not start:\n${watched.output()}`);
  return node;
}

/** A dependency this test owns (never the machine's shared one), so it can stop and start it. */
interface Daemon {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `command args` on `port`; start() waits until it accepts connections, stop() until it exited. */
async function daemon(command: string, args: (port: number) => string[]): Promise<Daemon> {
  const port = await freePort();
  let child: ChildProcessWithoutNullStreams | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  const d: Daemon = {
    port,
    async start() {
      child = spawn(command, args(port), { cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdout.resume();
      child.stderr.resume();
      const c = child;
      exited = new Promise((r) => c.once('exit', r));
      await eventually(() => reachable(port), WAIT_MS);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
  stops.push(() => d.stop());
  await d.start();
  return d;
}

/** `burrow honeychecker serve` as its own process; the nodes reach it with a signed-request token. */
async function startHoneychecker(): Promise<{ url: string; token: string }> {
  const token = randomBytes(32).toString('base64');
  const child = spawn(
    process.execPath,
    ['packages/server/bin/burrow.mjs', 'honeychecker', 'serve', '--listen', '127.0.0.1:0', '--dir', join(scratch, 'honeychecker')],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BURROW_HONEYCHECKER_TOKEN: token, BURROW_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const watched = watchChild(child);
  stops.push(() => stopChild({ url: '', child, watched }));
  if (!(await watched.until('listening on', START_MS))) throw new Error(`the honeychecker did not start:\n${watched.output()}`);
  const url = /listening on (\S+)/.exec(watched.output())?.[1];
  if (!url) throw new Error('the honeychecker did not say where it listens');
  return { url, token };
}

/** SIGTERM, up to 10 s for a clean shutdown, then SIGKILL (and up to 5 s more). */
async function stopChild({ child, watched }: Node): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const within = (ms: number) =>
    Promise.race([
      watched.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
  child.kill('SIGTERM');
  if (await within(10_000)) return;
  child.kill('SIGKILL');
  await within(5_000);
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'burrow-multinode-'));
  await admin(`create database ${database}`);
  databaseCreated = true;
  pgProxy = await tcpProxy(new URL(PG_ADMIN_URL));
  for (const binary of ['nats-server', 'redis-server'])
    if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).error)
      throw new Error(`${binary} is not installed: this test runs its own (apt-get install nats-server redis-server).`);
  s3 = await startTestS3();
  // This run's own NATS and Redis (Redis keeps its data over a restart, as a deployment's would).
  nats = await daemon('nats-server', (port) => ['-a', '127.0.0.1', '-p', String(port)]);
  redis = await daemon('redis-server', (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', scratch]);
  honeychecker = await startHoneychecker();
  for (let i = 0; i < 3; i++) natsLinks.push(await tcpProxy(new URL(`nats://127.0.0.1:${String(nats.port)}`)));
  // All at once: their migrations meet on one database (Kysely's migration lock lets one run them).
  const options = s3.options;
  nodes.push(...(await Promise.all([startNode(1, options), startNode(2, options), startNode(3, options)])));
  // The toy's way in: node B while it lives, else node C.
  balancer = await startBalancer({ backends: [parseBackend(node(1).url), parseBackend(node(2).url)], policy: 'failover' });
  stops.unshift(() => balancer.close());
  console.log(`multi-node: 3 nodes and the honeychecker up in ${String(Date.now() - startedAt)} ms`);
});

after(async () => {
  console.log(`multi-node: whole file ${String(Date.now() - startedAt)} ms`);
  const errors = nodes.length > 0 ? nodeErrors() : '';
  if (errors) console.log(`multi-node: the nodes logged errors:\n${errors}`);
  await Promise.allSettled(stops.map((stop) => stop()));
  await s3?.close().catch(() => undefined);
  if (databaseCreated) await admin(`drop database if exists ${database} with (force)`).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

const natsLink = (i: number): TcpProxy => {
  const link = natsLinks[i];
  if (!link) throw new Error('the NATS links were not set up');
  return link;
};

const node = (i: 0 | 1 | 2): Node => {
  const n = nodes[i];
  if (!n) throw new Error('the nodes did not start');
  return n;
};

let toy: HeadlessToy;
let toyLines: string[];
let mum: FamilyDevice;
const mumStore = new MemoryStore();
let familyId: string;
let toyId: string;
/** Grandma's device (joined through node C in the first test). */
let granDeviceId: string;

/** What the nodes logged at error level (to explain an unexpected 500). */
const nodeErrors = (): string =>
  nodes
    .flatMap((n) => n.watched.output().split('\n'))
    .filter((l) => l.includes('"level":50'))
    .join('\n');

/** POST /v1/sessions on `n` as the sender at `ip` (through the trusted proxy header). */
async function logIn(n: 0 | 1 | 2, ip: string, email: string, password: string): Promise<{ status: number; text: string; retryAfter: number }> {
  const response = await fetch(`${node(n).url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ email, password }),
  });
  return { status: response.status, text: await response.text(), retryAfter: Number(response.headers.get('retry-after') ?? '0') };
}

test('a guardian on node A sends; the toy on node B receives it; a relative on node C hears its answer', async () => {
  mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: node(0).url }), store: mumStore });
  await mum.signUp(`mum-${run}@example.com`, PASSWORD);
  familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  toyLines = [];
  toy = await HeadlessToy.start({
    server: balancer.url,
    dataDir: mkdtempSync(join(scratch, 'toy-')),
    player: () => Promise.resolve('memory'),
    recorder: fileRecorder(join(root, 'packages/toy/assets/hello.wav')),
    log: (line) => toyLines.push(line),
  });
  stops.unshift(() => toy.stop());
  toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired(), WAIT_MS);
  assert.ok((balancer.forwarded[0] ?? 0) > 0 && balancer.forwarded[1] === 0, 'the toy is on node B');

  // The toy only looks for messages when its stream (held by node B) wakes it: the wake-up that
  // node A publishes has to cross NATS.
  const audio = new Uint8Array(randomBytes(4000));
  const before = Date.now();
  await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  console.log(`multi-node: send on A to the toy holding B, acknowledged and fetched in ${String(Date.now() - before)} ms`);
  const played = await toy.playNext();
  assert.deepEqual(played?.audio, audio, 'the blob written through node A is read through node B from the one bucket');

  // Grandma joins on node C, may hear the child; the toy learns the new roster through node B.
  const gran = await FamilyDevice.open({ api: new ApiClient({ baseUrl: node(2).url }), store: new MemoryStore() });
  await gran.signUp(`gran-${run}@example.com`, PASSWORD);
  const { code } = await mum.invite(familyId);
  const { requestId } = await gran.requestToJoin(code);
  const grant: Grant = { role: 'member', sendToToy: true, hearChild: true };
  await mum.approveJoinRequest(familyId, requestId, grant);
  await eventually(async () => (await toy.device.roster())?.devices.some((d) => d.id === gran.deviceId), WAIT_MS);
  granDeviceId = gran.deviceId;
  const answerId = await toy.recordAnswer();
  const heard = await eventually(async () => (await gran.sync()).find((m) => m.messageId === answerId), WAIT_MS);
  assert.equal(heard.from, toyId);
  assert.ok(heard.audio.length > 0);
  // Her password, set through node C (hash with the shared pepper, real index in the honeychecker
  // service), signs in on node A.
  assert.equal((await logIn(0, '192.0.2.1', `gran-${run}@example.com`, PASSWORD)).status, 200);
});

test('delivery latency: sender on node A vs on node B, to the toy on node B, in the same run', async () => {
  // The same guardian device reaching node B: sessions are in PostgreSQL, so its token works there.
  const mumOnB = await FamilyDevice.open({ api: new ApiClient({ baseUrl: node(1).url, token: mum.api.token ?? '' }), store: mumStore });
  const sample = async (sender: FamilyDevice): Promise<number> => {
    const started = performance.now();
    await sender.sendVoice(familyId, [toyId], new Uint8Array(randomBytes(2000)), { senderName: 'Mum' });
    await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
    const ms = performance.now() - started;
    await toy.playNext();
    return ms;
  };
  const across: number[] = [];
  const same: number[] = [];
  for (let i = 0; i < 3; i++) {
    across.push(await sample(mum));
    same.push(await sample(mumOnB));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
  console.log(`multi-node: send → toy has it, median of 3: through two nodes (A → B) ${median(across).toFixed(0)} ms, one node (B → B) ${median(same).toFixed(0)} ms`);
  assert.equal(await toy.device.unplayedCount(), 0);
});

test('a rate limit is one limit across the nodes: sign-ups round-robin over the three are refused at the limit of one', async () => {
  // signUp allows 20 a minute from one address; every attempt counts, even one with a bad body.
  const statuses: number[] = [];
  for (let i = 0; i < 30 && !statuses.includes(429); i++) {
    const response = await fetch(`${node((i % 3) as 0 | 1 | 2).url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.20' },
      body: JSON.stringify({ email: 'not-an-address', password: 'x' }),
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  // With a count per node, 60 would pass (20 on each); shared, the 21st is refused.
  const first429 = statuses.indexOf(429);
  assert.equal(first429, 20, `statuses: ${statuses.join(',')}`);
  for (const n of [0, 1, 2] as const) {
    const other = await fetch(`${node(n).url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.20' },
      body: '{}',
    });
    await other.arrayBuffer();
    assert.equal(other.status, 429, `node ${String(n)} refuses too`);
  }
});

test('40 wrong log-ins round-robin over the three nodes are throttled as 40 on one node are', async () => {
  // One guessed account, 40 addresses (so only the account's own throttle applies, kept in PostgreSQL).
  const checkedOf = async (email: string, pick: (i: number) => 0 | 1 | 2): Promise<number> => {
    let checked = 0;
    for (let i = 0; i < 40; i++) {
      const answer = await logIn(pick(i), `198.51.100.${String(i + 1)}`, email, `wrong guess ${String(i)}`);
      assert.ok(answer.status === 401 || answer.status === 429, `${String(answer.status)} ${answer.text}\n${nodeErrors()}`);
      if (answer.status === 401) checked++;
    }
    return checked;
  };
  const spread = await checkedOf(`guessed-${run}@example.com`, (i) => (i % 3) as 0 | 1 | 2);
  // The account's delay is one for every node: while node A says it still runs for 3 s or more, B
  // and C refuse too. A's delay may be about to end (it doubles with each checked guess, and how
  // much is left depends on the machine's speed), so wait for one with time to spare: once it
  // ends, the next guess is checked and starts a delay twice as long.
  // A new address for every guess, so no address's own limits (or block) answer instead of the account's.
  let address = 0;
  const guess = (n: 0 | 1 | 2) => {
    address++;
    return logIn(n, `10.9.${String(address >> 8)}.${String(address & 255)}`, `guessed-${run}@example.com`, 'another guess');
  };
  await eventually(async () => {
    const a = await guess(0);
    if (a.status !== 429 || a.retryAfter < 3) return false;
    for (const n of [1, 2] as const) {
      const b = await guess(n);
      assert.equal(b.status, 429, `node ${String(n)}: ${b.text}`);
      assert.doesNotMatch(b.text, /Unusual activity/);
    }
    return true;
  }, 60_000);
  const one = await checkedOf(`guessed-alone-${run}@example.com`, () => 0);
  // Five free tries, then a doubling delay: a handful of guesses are checked, not five per node.
  assert.ok(spread < 15, `spread over three nodes, ${String(spread)} of 40 were checked`);
  assert.ok(Math.abs(spread - one) <= 3, `spread ${String(spread)} vs one node ${String(one)}`);
});

test('a block issued on node A refuses the blocked sender on node C at once', async () => {
  const blocked = '203.0.113.7';
  // Five failed sign-ins from one address on A (five accounts, so no account throttle): A blocks it.
  for (let i = 0; i < 5; i++) assert.equal((await logIn(0, blocked, `nobody-${String(i)}-${run}@example.com`, 'wrong')).status, 401);
  await eventually(async () => /Unusual activity/.test((await logIn(0, blocked, `x-${run}@example.com`, 'wrong')).text), WAIT_MS);
  // C refuses the same address on its first try, before checking any password; others still get in.
  const onC = await logIn(2, blocked, `y-${run}@example.com`, 'wrong');
  assert.equal(onC.status, 429);
  assert.match(onC.text, /Unusual activity/);
  assert.equal((await logIn(2, '203.0.113.8', `y-${run}@example.com`, 'wrong')).status, 401);
});

test("node B's NATS link, then node A's, cut and restored: a message and a roster change made meanwhile reach the toy on B with no further event; /readyz says degraded", async () => {
  assert.ok(toy, 'the first test paired the toy');
  const readyz = async (n: 0 | 1 | 2) => {
    const response = await fetch(`${node(n).url}/readyz`);
    return { status: response.status, body: (await response.json()) as { status?: string; bus?: string } };
  };
  const sendOnA = async () => {
    const audio = new Uint8Array(randomBytes(1700));
    await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' }); // acknowledged by node A
    return audio;
  };

  // Node B cannot hear: the wake-up node A publishes for the toy is lost on B's side.
  await natsLink(1).cut();
  const degraded = await eventually(async () => {
    const r = await readyz(1);
    return r.body.status === 'degraded' && r;
  }, WAIT_MS);
  assert.equal(degraded.status, 200, 'still ready: node B serves and stores meanwhile');
  assert.match(degraded.body.bus ?? '', /NATS unreachable since/);
  assert.deepEqual((await readyz(0)).body, { status: 'ok' }, "node A's link is up");
  const first = await sendOnA();
  // A roster change on node A too: grandma's device leaves the family.
  await mum.removeDevices(familyId, [granDeviceId]);
  assert.equal(await toy.device.unplayedCount(), 0, 'nothing woke the toy while B was cut off');
  assert.ok((await toy.device.roster())?.devices.some((d) => d.id === granDeviceId), 'nor told it of the roster');
  await natsLink(1).restore();
  // No further event: node B, back, wakes the streams it holds and the toy reads by cursor.
  await eventually(async () => !(await toy.device.roster())?.devices.some((d) => d.id === granDeviceId), WAIT_MS);
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  assert.deepEqual((await toy.playNext())?.audio, first);
  await eventually(async () => (await readyz(1)).body.status === 'ok', WAIT_MS);

  // Node A cannot speak: its wake-up is dropped on A's side, and node B never lost its link.
  await natsLink(0).cut();
  await eventually(async () => (await readyz(0)).body.status === 'degraded', WAIT_MS);
  const second = await sendOnA();
  assert.equal(await toy.device.unplayedCount(), 0, "A's wake-up was dropped");
  await natsLink(0).restore();
  // A, back, asks every node to wake its streams: B wakes the toy.
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  assert.deepEqual((await toy.playNext())?.audio, second);

  // And wake-ups cross as before.
  const third = await sendOnA();
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  assert.deepEqual((await toy.playNext())?.audio, third);
  assert.equal(await toy.playNext(), undefined, 'nothing twice');
  const said = node(1).watched.output();
  assert.match(said, /NATS reachable again/, 'node B says what it missed');
});

test('node B is killed: the toy reconnects through the balancer to node C and receives every acknowledged message, once', async () => {
  assert.ok(toy, 'the first test paired the toy');
  node(1).child.kill('SIGKILL');
  await node(1).watched.exited;
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const audio = new Uint8Array(randomBytes(2000 + i));
    await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' }); // acknowledged by node A
    sent.push(audio);
  }
  await eventually(async () => (await toy.device.unplayedCount()) === sent.length, WAIT_MS);
  assert.ok((balancer.forwarded[1] ?? 0) > 0, 'the toy came back through node C');
  for (const audio of sent) assert.deepEqual((await toy.playNext())?.audio, audio);
  assert.equal(await toy.playNext(), undefined, 'nothing twice');
  assert.equal(await toy.device.unplayedCount(), 0);
});

test('NATS, then Redis, restarted during sends: every acknowledged message reaches the toy once; a block is back after Redis', async () => {
  assert.ok(toy, 'the first test paired the toy');
  const sent: Uint8Array[] = [];
  const played: Uint8Array[] = [];
  const send = async () => {
    const audio = new Uint8Array(randomBytes(1500 + sent.length));
    await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' }); // 201 from node A
    sent.push(audio);
  };
  // The toy holds at most 5 unplayed messages: it has been woken for all of them when it holds this many.
  const waiting = () => Math.min(5, sent.length - played.length);
  /** Sends until the toy (on node C) is woken again: NATS carries wake-ups again after the restart. */
  const untilWoken = async () => {
    for (let i = 0; i < 10; i++) {
      await send();
      const ok = await eventually(async () => (await toy.device.unplayedCount()) === waiting(), 3000).catch(() => false);
      if (ok) return;
    }
    throw new Error('the toy was not woken again after the restart');
  };
  /** Plays everything acknowledged so far (each play frees a slot, and the toy fetches the next). */
  const playAll = () =>
    eventually(async () => {
      const next = await toy.playNext();
      if (next) played.push(next.audio);
      return played.length === sent.length;
    }, WAIT_MS);

  // NATS down: sends are still acknowledged (wake-ups are dropped; devices catch up by cursor).
  await nats.stop();
  await send();
  await send();
  await nats.start();
  await untilWoken();
  await playAll();

  // Redis down: requests are still answered (limits fall back to each node's memory), sends acknowledged.
  await redis.stop();
  await send();
  const during = await logIn(2, '203.0.113.9', `z-${run}@example.com`, 'wrong');
  assert.equal(during.status, 401, 'a sign-in is answered while Redis is down');
  await redis.start();
  await untilWoken();
  await playAll();
  // The block issued on node A before the restart is enforced on node C again, by itself.
  await eventually(async () => /Unusual activity/.test((await logIn(2, '203.0.113.7', `w-${run}@example.com`, 'wrong')).text), WAIT_MS);

  // Every acknowledged message, in order, once.
  assert.deepEqual(played, sent);
  assert.equal(await toy.playNext(), undefined, 'nothing twice');
  console.log(`multi-node: ${String(sent.length)} messages acknowledged across the NATS and Redis restarts, each played once`);
});

test('PostgreSQL goes away and comes back: the nodes answer 503 with Retry-After meanwhile, then serve again by themselves', async () => {
  assert.ok(toy, 'the first test paired the toy');
  const live = [0, 2] as const; // node B was killed above
  const token = mum.api.token ?? '';
  const ask = async (n: 0 | 2, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${node(n).url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    }).catch((err: unknown) => {
      // A node that crashed on the outage: say why.
      throw new Error(`node ${String(n)} did not answer ${path} (exit ${String(node(n).child.exitCode)}):\n${node(n).watched.output().slice(-4000)}`, { cause: err });
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
  };
  const expectUnavailable = (what: string, answer: { status: number; retryAfter: string | null; body: string }) => {
    assert.equal(answer.status, 503, `${what}: ${String(answer.status)} ${answer.body}\n${nodeErrors()}`);
    assert.ok(Number(answer.retryAfter) > 0, `${what}: Retry-After ${String(answer.retryAfter)}`);
    assert.equal((JSON.parse(answer.body) as { error?: { code?: string } }).error?.code, 'unavailable', `${what}: ${answer.body}`);
    assert.doesNotMatch(answer.body, /at .*\.ts:\d+/, 'no stack trace');
  };

  await pgProxy.cut();
  // Several rounds while it is away: pooled connections that broke, then connections refused.
  for (let round = 0; round < 3; round++) {
    for (const n of live) {
      expectUnavailable(`node ${String(n)} getMe`, await ask(n, '/v1/me'));
      expectUnavailable(`node ${String(n)} listToys`, await ask(n, `/v1/families/${familyId}/toys`));
      expectUnavailable(`node ${String(n)} sign-in`, await ask(n, '/v1/sessions', {
        method: 'POST',
        headers: { 'x-forwarded-for': '192.0.2.50' },
        body: JSON.stringify({ email: `mum-${run}@example.com`, password: PASSWORD }),
      }));
      expectUnavailable(`node ${String(n)} readyz`, await ask(n, '/readyz'));
      // Alive, though not ready: a load balancer stops sending it work but nobody restarts it.
      assert.equal((await ask(n, '/healthz')).status, 200);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const n of live) assert.equal(node(n).child.exitCode, null, `node ${String(n)} is still running`);

  await pgProxy.restore();
  // Every node serves again, without a restart.
  for (const n of live) {
    await eventually(async () => (await ask(n, '/readyz')).status === 200, WAIT_MS);
    assert.equal((await ask(n, '/v1/me')).status, 200);
  }
  // A message sent through node A after recovery reaches the toy, whose stream node C holds.
  const audio = new Uint8Array(randomBytes(1800));
  await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  assert.deepEqual((await toy.playNext())?.audio, audio);
  assert.equal(await toy.playNext(), undefined, 'nothing twice');
  const errors = nodeErrors();
  assert.doesNotMatch(errors, /uncaught|unhandled/i, errors);
});

test('unpairing the toy on node A reaches it on node C: it forgets its family, and C refuses its old token', async () => {
  assert.ok(toy, 'the first test paired the toy');
  const oldToken = toy.device.api.token;
  await mum.unpairToy(familyId, toyId);
  await eventually(() => Promise.resolve(toyLines.some((l) => l.includes('unpaired'))), WAIT_MS);
  assert.equal(await toy.device.isPaired(), false);
  await assert.rejects(
    new ApiClient({ baseUrl: node(2).url, token: oldToken ?? '' }).listMessages(),
    (e: unknown) => isApiError(e, 'unauthenticated'),
  );
});
