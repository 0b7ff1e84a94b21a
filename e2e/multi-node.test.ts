/**
 * Two Burrow nodes, one installation (issue #12): two real server processes on one PostgreSQL
 * database, one S3 bucket (s3rver), NATS (the machine's 127.0.0.1:4222, this run's own subject
 * prefix) and Redis (127.0.0.1:6379, this run's own key prefix). A guardian on node 1 sends and the
 * toy whose stream is held by node 2 is woken and receives it; unpairing on node 1 reaches the toy
 * on node 2; a rate limit counted on both nodes is one limit.
 *
 * Always PostgreSQL (several nodes cannot share SQLite), so it runs once, whichever lane runs it.
 * Every process and server it starts is stopped in after() with a bounded wait and SIGKILL behind it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ApiClient, FamilyDevice, isApiError, MemoryStore } from '@burrow/client';
import { fileRecorder, HeadlessToy } from '@burrow/toy';
import { freePort, watchChild, type WatchedChild } from '../packages/server/src/testing/processes.js';
import { startTestS3, type TestS3 } from '../packages/server/src/testing/s3rver.js';

// Not from world.ts: that one starts in-process servers, and this file starts none (it runs once).
const PASSWORD = 'correct horse battery staple plush';

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

function databaseUrl(): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Starts `burrow serve` (main.ts under tsx) as node `n` of the installation. */
async function startNode(n: number, s3Options: TestS3['options']): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
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
      BURROW_NATS_URL: 'nats://127.0.0.1:4222',
      BURROW_NATS_SUBJECT_PREFIX: `burrow.multinode${run}`,
      BURROW_REDIS_URL: 'redis://127.0.0.1:6379',
      BURROW_REDIS_KEY_PREFIX: `burrow-multinode-${run}:`,
      // Until the honeychecker is its own service, nodes share its folder (docs/operations.md).
      BURROW_HONEYCHECKER_DIR: join(scratch, 'honeychecker'),
      BURROW_HONEYCHECKER_SECRET: `multi-node-test-secret-${run}-0123456789abcdef`,
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
  s3 = await startTestS3();
  // Both at once: their migrations meet on one database (Kysely's migration lock lets one run them).
  const options = s3.options;
  nodes.push(...(await Promise.all([startNode(1, options), startNode(2, options)])));
});

after(async () => {
  await Promise.allSettled(stops.map((stop) => stop()));
  await s3?.close().catch(() => undefined);
  if (databaseCreated) await admin(`drop database if exists ${database} with (force)`).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

const node = (i: 0 | 1): Node => {
  const n = nodes[i];
  if (!n) throw new Error('the nodes did not start');
  return n;
};

let toy: HeadlessToy;
let toyLines: string[];
let mum: FamilyDevice;
let familyId: string;
let toyId: string;

test('a guardian on node 1 sends; the toy whose stream node 2 holds is woken and receives it', async () => {
  mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: node(0).url }), store: new MemoryStore() });
  await mum.signUp(`mum-${run}@example.com`, PASSWORD);
  familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  toyLines = [];
  toy = await HeadlessToy.start({
    server: node(1).url,
    dataDir: mkdtempSync(join(scratch, 'toy-')),
    player: () => Promise.resolve('memory'),
    recorder: fileRecorder(join(root, 'packages/toy/assets/hello.wav')),
    log: (line) => toyLines.push(line),
  });
  stops.unshift(() => toy.stop());
  toyId = await mum.claimToy(familyId, childId, await toy.holdPairingButton());
  await eventually(() => toy.device.isPaired(), WAIT_MS);

  // The toy only looks for messages when its stream (held by node 2) wakes it: the wake-up that node 1
  // publishes has to cross NATS.
  const audio = new Uint8Array(randomBytes(4000));
  await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum' });
  await eventually(async () => (await toy.device.unplayedCount()) === 1, WAIT_MS);
  const played = await toy.playNext();
  assert.deepEqual(
    played?.audio,
    audio,
    'the blob written through node 1 is read through node 2 from the one bucket',
  );
});

test('unpairing the toy on node 1 reaches it on node 2: it forgets its family, and node 2 refuses its old token', async () => {
  assert.ok(toy, 'the first test paired the toy');
  const oldToken = toy.device.api.token;
  await mum.unpairToy(familyId, toyId);
  await eventually(() => Promise.resolve(toyLines.some((l) => l.includes('unpaired'))), WAIT_MS);
  assert.equal(await toy.device.isPaired(), false);
  await assert.rejects(
    new ApiClient({ baseUrl: node(1).url, token: oldToken ?? '' }).listMessages(),
    (e: unknown) => isApiError(e, 'unauthenticated'),
  );
});

test('a rate limit is one limit across the nodes: sign-ups alternating between them are refused at the limit of one', async () => {
  // signUp allows 20 a minute from one address; every attempt counts, even one with a bad body.
  const statuses: number[] = [];
  for (let i = 0; i < 30 && !statuses.includes(429); i++) {
    const response = await fetch(`${node(i % 2 === 0 ? 0 : 1).url}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-address', password: 'x' }),
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  // With a count per node, 40 would pass (20 on each); shared, the 21st at most is refused
  // (the guardian's sign-up above counted too).
  const first429 = statuses.indexOf(429);
  assert.ok(first429 >= 0 && first429 <= 20, `statuses: ${statuses.join(',')}`);
  const other = await fetch(`${node(first429 % 2 === 0 ? 1 : 0).url}/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await other.arrayBuffer();
  assert.equal(other.status, 429, 'the other node refuses too');
});
