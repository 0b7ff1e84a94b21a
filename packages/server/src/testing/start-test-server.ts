/**
 * A real Burrow server for tests: real HTTP on 127.0.0.1 (a free port), real SQLite in a fresh temp
 * directory — or, when BURROW_TEST_PG_URL is set, a fresh PostgreSQL database created for this
 * server and dropped on close. Used by this package's tests and by the other packages' end-to-end
 * tests (`import { startTestServer } from '@burrow/server/testing'`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { buildServer, type AppServices } from '../app.js';
import { createFsBlobs, type Blobs } from '../blobs/index.js';
import { createMemoryBus, type Bus } from '../bus/index.js';
import { systemClock, type Clock } from '../clock/index.js';
import {
  defaultRateLimits,
  honeycheckerDirOf,
  unsetDeployment,
  type Argon2Config,
  type Config,
  type DatabaseConfig,
  type RateLimits,
} from '../load-config.js';
import { DEFAULT_CHECKPOINTER, type CheckpointerOptions } from '../db/checkpointer.js';
import { migrate, openDb, type Db, type Dialect } from '../db/index.js';
import type { App } from '../http/types.js';
import { createLogger } from '../logger.js';
import { relaxedWatchConfig, type WatchConfig } from '../anomalies/config.js';
import { createMailer, type Mailer } from '../mail/index.js';
import { forgetTemplate, migratedTemplate } from './pg-template.js';
import { copyMigratedSqlite } from './sqlite-template.js';
import { defaultAdmission } from '../http/admission-config.js';
import type { LimitStore } from '../limits/index.js';

export interface TestServerOptions {
  clock?: Clock;
  logger?: Logger;
  /** Replace the filesystem blob store (e.g. with a failing one). */
  blobs?: Blobs;
  /** SQLite's checkpoint worker's timings (default: production's, DEFAULT_CHECKPOINTER). */
  checkpoints?: CheckpointerOptions;
  /**
   * Defaults to limits high enough that whole end-to-end suites (many sign-ups and toys from one
   * address) are not throttled; tests of rate limiting pass their own.
   */
  rateLimits?: Partial<RateLimits>;
  /** Per-family storage quota in bytes (default: the server's). */
  familyStorageBytes?: number;
  /** Default: the outbox folder in the server's temp data dir. */
  mailer?: Mailer;
  /** Account-security settings (Pwned Passwords URL, public URL, mail From). */
  accountSecurity?: Partial<Config['accountSecurity']>;
  /**
   * Tripwire settings (operator address, honeywords k, canaries); the honeychecker defaults to
   * `<dataDir>-honeychecker`. No canaries are planted unless a test asks (`canaryAccounts`): planting
   * costs a family, devices and a sealed message at every start, and only the tripwire tests look.
   */
  tripwires?: Partial<Config['tripwires']>;
  /**
   * argon2id cost (default `cheapArgon2`). Tests of password hashing and honeywords pass
   * `defaultArgon2` (config.ts) to exercise the production cost.
   */
  argon2?: Argon2Config;
  /** Override the database choice (default: BURROW_TEST_PG_URL, else SQLite). */
  postgresUrl?: string | null;
  /**
   * Reopen an existing installation (a restore drill): this data folder (removed on close) and, for
   * PostgreSQL, this database (left for the caller to drop). Default: fresh ones.
   */
  existing?: { dataDir: string; database: DatabaseConfig };
  /** Listen on this port (default: a free one). */
  port?: number;
  /** BURROW_TRUST_PROXY: client addresses then come from X-Forwarded-For (default: none trusted). */
  trustProxy?: string;
  /** Audit retention, anomaly thresholds, /metrics access (default: detectors that never fire). */
  watch?: WatchConfig;
  /** Durable writes in flight before 503 (http/admission-config.ts); default: the server's. */
  admission?: Config['admission'];
  /** Anomaly windows and blocks shared with other servers (a Redis LimitStore); default: this server's own. */
  limits?: LimitStore;
}

export interface TestServer {
  url: string;
  app: App;
  /** The services the app was built with (tripwires, breach watch, alerts). */
  services: AppServices;
  db: Db;
  dialect: Dialect;
  blobs: Blobs;
  bus: Bus;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * argon2id at the smallest cost argon2 allows (8 KiB per lane) rounded up: a sign-up's 20 honeywords
 * then cost ~2 ms instead of ~600 ms of CPU. Every code path is the same; only the numbers differ.
 */
/**
 * A test's own look into the server's database (`peek(() => server.db.selectFrom(…)…)`): left out of
 * the query-shape record (db/query-shapes.ts), because it is the test's instrument, not the product's
 * SQL, and must not make the PostgreSQL lane repeat a whole browser file just to run it there.
 */
export { unrecorded as peek } from '../db/query-shapes.js';

export const cheapArgon2: Argon2Config = Object.freeze({ memoryKib: 64, timeCost: 1, parallelism: 1 });

const relaxed = { max: 100_000, windowMs: 60_000 };
const testRateLimits: RateLimits = {
  global: relaxed,
  signUp: relaxed,
  logIn: relaxed,
  registerToy: relaxed,
  lookupPairing: relaxed,
  redeemInvitation: relaxed,
  sendMessage: relaxed,
};

/** Creates `burrow_test_<random>`, already migrated, on the server at `adminUrl`; returns its URL and a drop function. */
export async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `burrow_test_${randomBytes(6).toString('hex')}`;
  const run = async (url: string, statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  // The URL's own database is only a place to issue CREATE DATABASE from; if it does not exist
  // (SQLSTATE 3D000), use the `postgres` maintenance database instead.
  const fallback = new URL(adminUrl);
  fallback.pathname = '/postgres';
  const admin = (statement: string): Promise<void> =>
    run(adminUrl, statement).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === '3D000') return run(fallback.toString(), statement);
      throw err;
    });
  // A copy of the migrated template (pg-template.ts), not an empty database migrated again.
  const copy = async () => admin(`create database ${name} template ${await migratedTemplate(adminUrl)}`);
  // 3D000: another process dropped the template as stale after this one looked it up; make it again.
  await copy().catch((err: unknown) => {
    if ((err as { code?: unknown }).code !== '3D000') throw err;
    forgetTemplate(adminUrl);
    return copy();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const testAdmission = Object.freeze({ ...defaultAdmission, maxLagMs: 0 });

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.existing?.dataDir ?? mkdtempSync(join(tmpdir(), 'burrow-server-'));
  const pgUrl =
    options.postgresUrl === undefined ? process.env.BURROW_TEST_PG_URL || null : options.postgresUrl;
  let dropDatabase: (() => Promise<void>) | null = null;
  let database: DatabaseConfig = options.existing?.database ?? { kind: 'sqlite', path: join(dataDir, 'burrow.db') };
  if (pgUrl && !options.existing) {
    const created = await createPgDatabase(pgUrl);
    dropDatabase = created.drop;
    database = { kind: 'postgres', url: created.url };
  } else if (database.kind === 'sqlite' && !options.existing) await copyMigratedSqlite(database.path);
  const config: Config = Object.freeze({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    database,
    tls: null,
    logLevel: 'silent',
    rateLimits: { ...(options.rateLimits ? defaultRateLimits : testRateLimits), ...options.rateLimits },
    ...(options.familyStorageBytes === undefined ? {} : { familyStorageBytes: options.familyStorageBytes }),
    ...unsetDeployment,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    accountSecurity: Object.freeze({ ...unsetDeployment.accountSecurity, ...options.accountSecurity }),
    tripwires: Object.freeze({ ...unsetDeployment.tripwires, canaryAccounts: 0, ...options.tripwires }),
    argon2: options.argon2 ?? cheapArgon2,
    // Like the rate limits: suites that probe access control on purpose are not blocked by the detectors.
    watch: options.watch ?? relaxedWatchConfig,
    // The event-loop lag limit is off unless a test asks for it: on this shared machine a suite's
    // own server runs late for reasons of its neighbours, and a refused write is not what most tests test.
    admission: options.admission ?? testAdmission,
  });
  // The serving connection as main.ts opens it: on SQLite, checkpoints from a worker thread.
  const { db, dialect } = openDb(config.database, undefined, { checkpoints: options.checkpoints ?? DEFAULT_CHECKPOINTER });
  const cleanup = async (): Promise<void> => {
    // A test may have destroyed the database already (to simulate an outage).
    await db.destroy().catch(() => undefined);
    if (dropDatabase) await dropDatabase();
    // fs/promises' rm, not rmSync: it unlinks a folder's entries concurrently on libuv's threadpool,
    // where rmSync takes them one at a time (a CloudPets-size run's blob files: 176 s for 21,823 of
    // them under load; 20,000 files of 1 KiB here: 22-43 s one by one, 5.4-7.8 s so, load 9-11).
    await Promise.all([rm(dataDir, { recursive: true, force: true }), rm(honeycheckerDirOf(config), { recursive: true, force: true })]);
  };
  try {
    await migrate(db, dialect);
    const blobs = options.blobs ?? createFsBlobs(join(dataDir, 'blobs'));
    const bus = createMemoryBus();
    // Errors only: an unexpected 500 in a test prints its cause (a retention test's 500 in CI said
    // nothing more than "Internal error"); request logs and warnings stay out of the suite's output.
    const logger = options.logger ?? createLogger('error');
    const { app, services } = await buildServer({
      config,
      db,
      blobs,
      bus,
      clock: options.clock ?? systemClock,
      logger,
      mailer: options.mailer ?? createMailer({ config: { ...config, mailFrom: config.accountSecurity.mailFrom }, log: logger }),
      ...(options.limits ? { sharedLimits: options.limits } : {}),
    });
    // Canaries are planted beside start-up; a test sees the installation after, never during, it.
    await services.tripwires.planted;
    await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string')
      throw new Error('The test server has no TCP address.');
    return {
      url: `http://127.0.0.1:${address.port}`,
      app,
      services,
      db,
      dialect,
      blobs,
      bus,
      config,
      dataDir,
      async close() {
        await app.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
