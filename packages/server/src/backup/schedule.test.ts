/**
 * Scheduled backups: `burrow serve --backup-every` really backs up in-process; runs never overlap,
 * each backup verifies (and decrypts with the operator's identity), only the newest `keep` stay,
 * and a failing run mails the operator.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { systemClock } from '../clock/index.js';
import { unrecorded } from '../db/index.js';
import { createLeases } from '../leases/index.js';
import { createLogger } from '../logger.js';
import { createSmtpMailer } from '../mail/index.js';
import { expectStatus, family, sealedVoice, type Family } from '../testing/fixtures.js';
import { httpClient } from '../testing/http.js';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';
import { createOperatorAlerts } from '../tripwires/index.js';
import { generateBackupIdentity } from './keys.js';
import { BackupScheduleError, parseBackupSchedule, parseDuration, startBackupSchedule, type BackupScheduleConfig, type BackupSchedulePorts } from './schedule.js';
import { renderSystemdUnits } from './systemd.js';
import { verifyBackup } from './verify.js';
import { SNAPSHOT_COPY_CHANNEL } from './sqlite-copy.js';
import { nodeEntry } from '../testing/processes.js';

let server: TestServer;
let fam: Family;
let sink: SmtpSink;
let scratch: string;
const log = createLogger('silent');

before(async () => {
  server = await startTestServer();
  sink = await startSmtpSink();
  scratch = mkdtempSync(join(tmpdir(), 'burrow-schedule-'));
  const call = httpClient(server.url);
  fam = await family(call);
  for (let i = 0; i < 3; i++) {
    const voice = await sealedVoice(fam.guardian.keys, fam.roster, [fam.guardian.keys]);
    expectStatus(await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob }), 201);
  }
});
after(async () => {
  await sink.close();
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

const backupsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('burrow-backup-')).sort() : []);

test('durations and the serve flags parse, and a schedule without a folder or a recipient is refused with the fix', () => {
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.throws(() => parseDuration('daily'), BackupScheduleError);
  assert.equal(parseBackupSchedule({}, []), null);
  assert.deepEqual(parseBackupSchedule({ BURROW_BACKUP_RECIPIENT: 'age1x' }, ['--backup-every', '6h', '--backup-dir=/b', '--backup-keep', '3']), {
    everyMs: 21_600_000,
    dir: '/b',
    keep: 3,
    recipient: 'age1x',
  });
  assert.throws(() => parseBackupSchedule({ BURROW_BACKUP_RECIPIENT: 'age1x' }, ['--backup-every', '6h']), /--backup-dir/);
  assert.throws(() => parseBackupSchedule({}, ['--backup-every', '6h', '--backup-dir', '/b']), /BURROW_BACKUP_RECIPIENT/);
  assert.throws(() => parseBackupSchedule({ BURROW_BACKUP_EVERY: '10ms', BURROW_BACKUP_DIR: '/b', BURROW_BACKUP_RECIPIENT: 'a' }), /at least 1s/);
});

test('`burrow backup schedule` prints a systemd service and timer', () => {
  const units = renderSystemdUnits({ onCalendar: '*-*-* 03:00:00', outDir: '/backups', workDir: '/srv/burrow', envFile: '/etc/burrow/env' });
  assert.match(units, /ExecStart=\/usr\/bin\/env npx burrow backup --out "\/backups"/);
  assert.match(units, /OnCalendar=\*-\*-\* 03:00:00/);
  assert.match(units, /EnvironmentFile=\/etc\/burrow\/env/);
  assert.throws(() => renderSystemdUnits({ onCalendar: 'daily\nExecStart=/bin/sh', outDir: '/b', workDir: '/w', envFile: '/e' }));
});

/** A schedule on the test server's installation, alerting nobody unless a test says otherwise. */
const scheduleOn = (schedule: BackupScheduleConfig, more: Partial<BackupSchedulePorts> = {}) =>
  startBackupSchedule({
    schedule,
    database: server.config.database,
    db: server.db,
    blobs: server.blobs,
    clock: systemClock,
    log,
    alertOperator: () => Promise.reject(new Error('no alert expected')),
    ...more,
  });

test('on a short interval: backups are produced, each verifies and decrypts, only the newest `keep` remain, runs never overlap', async () => {
  const keys = await generateBackupIdentity();
  const dir = join(scratch, 'every');
  const scheduler = scheduleOn({ everyMs: 150, dir, keep: 2, recipient: keys.recipient });
  try {
    const until = Date.now() + 60_000;
    while (scheduler.stats().runs < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(scheduler.stats().runs >= 3, 'three scheduled runs');
    // A run asked for while one is going is skipped, not started beside it.
    const [a, b] = await Promise.all([scheduler.runNow(), scheduler.runNow()]);
    assert.ok((a === null) !== (b === null) || scheduler.stats().skipped >= 1, 'one of two concurrent runs was skipped');
    assert.ok(scheduler.stats().skipped >= 1);
  } finally {
    await scheduler.stop();
  }
  const kept = backupsIn(dir);
  assert.equal(kept.length, 2, `kept ${kept.join(', ')}`);
  assert.equal(scheduler.stats().failures, 0);
  const newest = join(dir, kept[1] ?? '');
  const verified = await verifyBackup(newest, keys.identity);
  // Every blob the database lists (ours, and the canary family's that tripwires/ planted).
  const listed = await server.db.selectFrom('blobs').select('hash').execute();
  assert.ok(listed.length >= 3);
  assert.equal(verified.decrypted?.blobs, listed.length);
});

/**
 * Fills a table of the test's own with about 48 MiB of random bytes, so the snapshot's copy takes
 * far longer than a request (hundreds of ms against a few); dropped again by `drop`.
 */
async function filler(): Promise<{ drop: () => Promise<void> }> {
  const run = (q: ReturnType<typeof sql>) => unrecorded(() => q.execute(server.db));
  await run(sql`create table backup_filler (n integer primary key, pad ${sql.raw(server.config.database.kind === 'sqlite' ? 'blob' : 'text')} not null)`);
  if (server.config.database.kind === 'sqlite')
    await run(sql`with recursive c(n) as (select 1 union all select n + 1 from c where n < 12000) insert into backup_filler select n, randomblob(4096) from c`);
  // Random text, so neither TOAST nor pg_dump's compression makes it small.
  else await run(sql`insert into backup_filler select g, (select string_agg(gen_random_uuid()::text, '') from generate_series(1, 110) where g > 0) from generate_series(1, 12000) g`);
  return {
    drop: async () => {
      await run(sql`drop table backup_filler`);
    },
  };
}

test("requests are answered while a scheduled backup's database copy runs (SQLite: VACUUM INTO in a worker thread; PostgreSQL: pg_dump, a child process)", async () => {
  const keys = await generateBackupIdentity();
  const call = httpClient(server.url);
  const voice = await sealedVoice(fam.guardian.keys, fam.roster, [fam.guardian.keys]);
  const { drop } = await filler();
  // The copy's start and end as database.ts publishes them; requests go out from the start and are
  // counted if their answer arrived before the end. A copy on the event loop answers none of them.
  let copying = false;
  let copies = 0;
  let readsDuringCopy = 0;
  let writeDuringCopy: number | null = null;
  let probing: Promise<void> = Promise.resolve();
  const probe = async (): Promise<void> => {
    const put = await call('PUT', `/v1/families/${fam.familyId}/blobs/${voice.hash}`, { ...fam.guardian.as, raw: voice.blob });
    if (copying) writeDuringCopy = put.status;
    while (copying) {
      const read = await call('GET', `/v1/families/${fam.familyId}`, fam.guardian.as);
      expectStatus(read, 200);
      if (copying) readsDuringCopy++;
    }
  };
  const onCopy = (message: unknown): void => {
    const phase = (message as { phase: string }).phase;
    if (phase === 'start') {
      copying = true;
      copies++;
      probing = probe();
    } else copying = false;
  };
  subscribe(SNAPSHOT_COPY_CHANNEL, onCopy);
  const scheduler = scheduleOn({ everyMs: 3_600_000, dir: join(scratch, 'while-copying'), keep: 1, recipient: keys.recipient });
  try {
    const summary = await scheduler.runNow();
    assert.ok(summary, 'the backup ran');
    await probing;
    assert.equal(copies, 1, 'one copy started and ended');
    assert.equal(writeDuringCopy, 201, 'a blob upload was stored during the copy');
    assert.ok(readsDuringCopy >= 1, `reads answered during the copy: ${String(readsDuringCopy)}`);
    const verified = await verifyBackup(summary.path, keys.identity);
    assert.ok(verified.decrypted !== null);
  } finally {
    unsubscribe(SNAPSHOT_COPY_CHANNEL, onCopy);
    await scheduler.stop();
    await drop();
  }
});

test('a failed scheduled backup mails the operator, and the schedule carries on', async () => {
  const keys = await generateBackupIdentity();
  const blocker = join(scratch, 'not-a-folder');
  writeFileSync(blocker, 'a file where the backup folder should be');
  const mailer = createSmtpMailer({ url: sink.url, from: 'Burrow <security@burrow.test>', ignoreTLS: true });
  const alerts = createOperatorAlerts({ mailer, log, clock: systemClock, to: 'operator@burrow.test' });
  const scheduler = scheduleOn({ everyMs: 100, dir: join(blocker, 'backups'), keep: 2, recipient: keys.recipient }, { alertOperator: alerts.alertOperator });
  try {
    const mail = await sink.next('operator@burrow.test', /backup-failed/, 30_000);
    assert.match(mail.text, /The scheduled backup into .*not-a-folder.* failed/);
    const until = Date.now() + 30_000;
    while (scheduler.stats().failures < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(scheduler.stats().failures >= 2, 'it tried again');
  } finally {
    await scheduler.stop();
  }
});

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('a claim the database does not answer is tried again soon, not a period later: the backup then runs once', async () => {
  const keys = await generateBackupIdentity();
  const dir = join(scratch, 'retried');
  // The lease table out of reach: each claim fails on the engine itself, as during an outage.
  const rename = (from: string, to: string) => unrecorded(() => sql`alter table ${sql.table(from)} rename to ${sql.table(to)}`.execute(server.db));
  await rename('scheduled_runs', 'scheduled_runs_away');
  // A period of an hour: within the test, only a retry can tick again.
  const scheduler = scheduleOn({ everyMs: 3_600_000, dir, keep: 2, recipient: keys.recipient }, { leases: createLeases({ db: server.db, clock: systemClock }), retryMs: 5 });
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    await scheduler.tickNow();
    await until('two retries failed too', () => scheduler.stats().claimFailures >= 3);
    assert.equal(scheduler.stats().runs, 0);
    await rename('scheduled_runs_away', 'scheduled_runs');
    await until('a retried claim backed up', () => scheduler.stats().runs === 1);
  } finally {
    await scheduler.stop();
  }
  const stats = scheduler.stats();
  assert.ok(stats.retries >= 3, JSON.stringify(stats));
  assert.deepEqual({ runs: stats.runs, failures: stats.failures, elsewhere: stats.elsewhere }, { runs: 1, failures: 0, elsewhere: 0 });
  assert.equal(backupsIn(dir).length, 1);
});

test('`burrow serve --backup-every 1s --backup-dir DIR` writes verified backups while serving', async () => {
  const keys = await generateBackupIdentity();
  const dataDir = mkdtempSync(join(tmpdir(), 'burrow-serve-'));
  const dir = join(scratch, 'serve');
  const child = spawn(
    process.execPath,
    [...nodeEntry(root, 'packages/server/src/cli.ts'), 'serve', '--backup-every', '1s', '--backup-dir', dir, '--backup-keep', '2'],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BURROW_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', BURROW_BACKUP_RECIPIENT: keys.recipient, BURROW_LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    },
  );
  try {
    const until = Date.now() + 90_000;
    while (backupsIn(dir).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    const made = backupsIn(dir);
    assert.ok(made.length >= 2, `backups written: ${made.join(', ')}`);
    const verified = await verifyBackup(join(dir, made[0] ?? ''), keys.identity);
    assert.ok(verified.decrypted !== null);
  } finally {
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}-honeychecker`, { recursive: true, force: true });
  }
});
