/**
 * `npm run cluster`: the scale-out stack on one machine, to see it work (docs/deploy.md). Starts
 *
 *   the honeychecker service   burrow honeychecker serve (its own folder .cluster/honeychecker)
 *   three Burrow nodes         burrow serve on 127.0.0.1:8081..8083, one data folder each
 *   a small load balancer      http://127.0.0.1:8080, round-robin (scripts/cluster-balancer.ts)
 *
 * on PostgreSQL (database `burrow_cluster` on BURROW_CLUSTER_PG_URL, default the machine's
 * postgres://postgres@127.0.0.1:5432/postgres, created if missing), an S3 bucket (s3rver with its
 * folder in .cluster/s3, or your own with BURROW_S3_* set), NATS (BURROW_NATS_URL, default
 * nats://127.0.0.1:4222) and Redis (BURROW_REDIS_URL, default redis://127.0.0.1:6379), each under its
 * own `burrow-cluster` prefix. Secrets shared by the nodes are made once into .cluster/secrets.json.
 * Ctrl-C stops everything; the state stays in .cluster/ (delete it, and drop the database, to start
 * over). BURROW_CLUSTER_PORT moves the balancer (the nodes take the next three ports).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { watchChild, type WatchedChild } from '../packages/server/src/testing/processes.js';
import { startBalancer } from './cluster-balancer.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const state = join(root, '.cluster');
const NODES = 3;
const basePort = Number(process.env.BURROW_CLUSTER_PORT ?? '8080');
const pgUrl = process.env.BURROW_CLUSTER_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'burrow_cluster';
const START_MS = 240_000;

interface Secrets {
  sessionKey: string;
  pepper: string;
  honeycheckerSecret: string;
  honeycheckerToken: string;
}

function secrets(): Secrets {
  const file = join(state, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  const make = () => randomBytes(32).toString('base64');
  const value: Secrets = { sessionKey: make(), pepper: make(), honeycheckerSecret: make(), honeycheckerToken: make() };
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  return value;
}

async function ensureDatabase(): Promise<string> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** BURROW_S3_* from the environment, else s3rver on a folder that outlives the run. */
async function s3(): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  if (process.env.BURROW_S3_BUCKET) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith('BURROW_S3_') && v) env[k] = v;
    return { env, close: () => Promise.resolve() };
  }
  const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => S3rverInstance;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(state, 's3'),
    configureBuckets: [{ name: 'burrow-cluster', configs: [] }],
  });
  const { port } = await server.run();
  return {
    env: {
      BURROW_S3_BUCKET: 'burrow-cluster',
      BURROW_S3_ENDPOINT: `http://127.0.0.1:${String(port)}`,
      BURROW_S3_REGION: 'us-east-1',
      BURROW_S3_ACCESS_KEY_ID: 'S3RVER',
      BURROW_S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    close: () => server.close(),
  };
}

const children: { name: string; child: ChildProcessWithoutNullStreams; watched: WatchedChild }[] = [];

function start(name: string, args: string[], env: Record<string, string>): { child: ChildProcessWithoutNullStreams; watched: WatchedChild } {
  const child = spawn(process.execPath, ['packages/server/bin/burrow.mjs', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BURROW_LOG_LEVEL: process.env.BURROW_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const watched = watchChild(child);
  children.push({ name, child, watched });
  void watched.exited.then(() => {
    if (!stopping) console.error(`${name} exited:\n${watched.output().split('\n').slice(-15).join('\n')}`);
  });
  return { child, watched };
}

let stopping = false;

async function main(): Promise<void> {
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const secret = secrets();
  process.stdout.write('Building the web app if needed… ');
  const build = spawnSync(process.execPath, ['scripts/build-if-needed.mjs', '--log', join(state, 'web-build.log')], { cwd: root, stdio: 'ignore' });
  console.log(build.status === 0 ? 'ok' : `failed (see ${join(state, 'web-build.log')}); the API works without it`);
  const databaseUrl = await ensureDatabase();
  const blobs = await s3();
  const hc = start('honeychecker', ['honeychecker', 'serve', '--listen', '127.0.0.1:0', '--dir', join(state, 'honeychecker')], {
    BURROW_HONEYCHECKER_TOKEN: secret.honeycheckerToken,
    BURROW_HONEYCHECKER_SECRET: secret.honeycheckerSecret,
  });
  if (!(await hc.watched.until('listening on', START_MS))) throw new Error(`the honeychecker did not start:\n${hc.watched.output()}`);
  const hcUrl = /listening on (\S+)/.exec(hc.watched.output())?.[1] ?? '';
  const publicUrl = `http://127.0.0.1:${String(basePort)}`;
  const ports = Array.from({ length: NODES }, (_, i) => basePort + 1 + i);
  process.stdout.write(`Starting ${String(NODES)} nodes… `);
  const started = Date.now();
  const nodes = ports.map((port, i) =>
    start(`node ${String(i + 1)}`, ['serve'], {
      HOST: '127.0.0.1',
      PORT: String(port),
      BURROW_DATA_DIR: join(state, `node-${String(i + 1)}`),
      BURROW_DATABASE_URL: databaseUrl,
      ...blobs.env,
      BURROW_NATS_URL: process.env.BURROW_NATS_URL ?? 'nats://127.0.0.1:4222',
      BURROW_NATS_SUBJECT_PREFIX: 'burrow.cluster',
      BURROW_REDIS_URL: process.env.BURROW_REDIS_URL ?? 'redis://127.0.0.1:6379',
      BURROW_REDIS_KEY_PREFIX: 'burrow-cluster:',
      BURROW_HONEYCHECKER_URL: hcUrl,
      BURROW_HONEYCHECKER_TOKEN: secret.honeycheckerToken,
      // The nodes of one installation share these: a password hashed on one is checked on another.
      BURROW_SESSION_KEY: secret.sessionKey,
      BURROW_PEPPER: secret.pepper,
      BURROW_PUBLIC_URL: publicUrl,
      BURROW_TRUST_PROXY: '127.0.0.1',
    }),
  );
  for (const [i, n] of nodes.entries())
    if (!(await n.watched.until('Burrow is listening', START_MS))) throw new Error(`node ${String(i + 1)} did not start:\n${n.watched.output()}`);
  console.log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const balancer = await startBalancer({ backends: ports.map((port) => ({ host: '127.0.0.1', port })), port: basePort });
  console.log(`
Burrow cluster (docs/deploy.md):
  open            ${balancer.url}   (load balancer, round-robin)
  nodes           ${ports.map((p) => `127.0.0.1:${String(p)}`).join(', ')}
  PostgreSQL      ${databaseUrl.replace(/\/\/[^@]*@/, '//')}
  S3              ${blobs.env.BURROW_S3_ENDPOINT ?? 'AWS'} bucket ${blobs.env.BURROW_S3_BUCKET ?? ''}
  NATS, Redis     prefix burrow-cluster
  honeychecker    ${hcUrl}
  state           ${state}
Ctrl-C stops everything.`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopping = true;
  console.log('\nStopping…');
  await balancer.close();
  // Nodes first, so none is left without its honeychecker.
  for (const list of [children.filter((c) => c.name !== 'honeychecker'), children.filter((c) => c.name === 'honeychecker')])
    await Promise.all(
      list.map(async ({ child, watched }) => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        const done = await Promise.race([watched.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref())]);
        if (!done) child.kill('SIGKILL');
      }),
    );
  await blobs.close();
}

main().catch((err: unknown) => {
  stopping = true;
  console.error(err instanceof Error ? err.message : err);
  for (const { child } of children) child.kill('SIGKILL');
  process.exitCode = 1;
});
