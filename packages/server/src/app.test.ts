/**
 * The composition root (app.ts): services are made once and handed in. One set of operator alerts
 * serves the tripwires, the anomaly metrics and the backup schedule; the backup schedule lives and
 * dies with the app; a backup copies the canary blob without tripping the canary (it reads the raw
 * store, while every request-serving capability reads the watched one).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildServer, type BuiltServer } from './app.js';
import { generateBackupIdentity } from './backup/keys.js';
import { createFsBlobs } from './blobs/index.js';
import { createMemoryBus } from './bus/index.js';
import { systemClock } from './clock/index.js';
import { defaultRateLimits, unsetDeployment, type Config } from './load-config.js';
import { migrate, openDb, type Db } from './db/index.js';
import { createLogger } from './logger.js';
import { createMemoryMailer, type MemoryMailer } from './mail/index.js';
import { honeycheckerDirOf } from './tripwires/config.js';

let dir: string;
let db: Db;
let built: BuiltServer;
let mailer: MemoryMailer;
let recipient: string;

async function build(backupDir: string, to: string): Promise<BuiltServer> {
  const config: Config = Object.freeze({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    database: { kind: 'sqlite' as const, path: join(dir, 'burrow.db') },
    tls: null,
    logLevel: 'silent',
    rateLimits: defaultRateLimits,
    ...unsetDeployment,
    // One canary account and family (with its blob); argon2 at its cheapest, as in test servers.
    tripwires: Object.freeze({ ...unsetDeployment.tripwires, canaryAccounts: 1, honeywords: 2 }),
    argon2: Object.freeze({ memoryKib: 64, timeCost: 1, parallelism: 1 }),
    backupSchedule: Object.freeze({ everyMs: 3_600_000, dir: backupDir, keep: 2, recipient: to }),
  });
  return buildServer({
    config,
    db,
    blobs: createFsBlobs(join(dir, 'blobs')),
    bus: createMemoryBus(),
    clock: systemClock,
    logger: createLogger('silent'),
    mailer,
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-app-'));
  ({ recipient } = await generateBackupIdentity());
  const opened = openDb({ kind: 'sqlite', path: join(dir, 'burrow.db') });
  db = opened.db;
  await migrate(db, opened.dialect);
  mailer = createMemoryMailer();
  built = await build(join(dir, 'backups'), recipient);
  await built.services.tripwires.planted;
});

after(async () => {
  await built.app.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-honeychecker`, { recursive: true, force: true });
});

void test('one set of operator alerts: the tripwires raise through the alerts the app made', () => {
  assert.equal(built.services.tripwires.alerts, built.services.alerts);
  assert.equal(honeycheckerDirOf({ dataDir: dir, tripwires: unsetDeployment.tripwires }), `${dir}-honeychecker`);
});

void test('a scheduled backup copies the canary blob without tripping the canary', async () => {
  const planted = await built.services.tripwires.planted;
  assert.ok(planted.family, 'a canary family with a blob was planted');
  const backups = built.services.backups;
  assert.ok(backups, 'the app runs the configured schedule');
  const summary = await backups.runNow();
  assert.ok(summary, 'the backup was written and verified');
  assert.ok(summary.blobs >= 1, 'the canary blob is in the backup');
  await built.services.tripwires.settled();
  assert.equal(built.services.alerts.metrics().raised['canary-read:critical'], undefined);
});

void test('a failed scheduled backup alerts the operator through the same alerts that /metrics counts', async () => {
  // A second app on the same database whose backups cannot be written (no such recipient).
  const failing = await build(join(dir, 'backups-failing'), 'age1notarecipient');
  try {
    const backups = failing.services.backups;
    assert.ok(backups);
    assert.equal(await backups.runNow(), null);
    assert.equal(backups.stats().failures, 1);
    assert.equal(failing.services.alerts.metrics().raised['backup-failed:high'], 1);
    assert.ok(mailer.sent.some((m) => m.to === unsetDeployment.tripwires.operatorEmail && /backup-failed/.test(m.subject)));
    const metrics = await failing.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /burrow_operator_alerts_total\{kind="backup-failed",severity="high"\} 1/);
  } finally {
    await failing.app.close();
  }
});
