/**
 * The running toy's update schedule (schedule.ts) against a real server over loopback: it checks at
 * start and again on its own, installs a signed update once, neither downloads it again while it
 * waits for its start nor installs again one that failed its start, takes the next release, and
 * checks in each state for the guardians. The real CLI running it is e2e/update-check.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeUpdateBundle, generateReleaseKey, signUpdate, utf8 } from '@burrow/protocol';
import { systemClock } from '../../../server/src/clock/index.js';
import { registerToy } from '../../../server/src/testing/fixtures.js';
import { httpClient } from '../../../server/src/testing/http.js';
import { startTestServer, type TestServer } from '../../../server/src/testing/start-test-server.js';
import { createUpdates } from '../../../server/src/updates/service.js';
import { updateReportOf } from '../../../server/src/updates/store.js';
import { FileStore } from '../file-store.js';
import type { DownloadResult } from './download.js';
import { TOY_TARGET, TOY_VERSION } from './release-key.js';
import { startUpdateChecks } from './schedule.js';
import { UpdateSlots } from './slots.js';

const release = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
let server: TestServer;
let dataDir: string;
let toyId: string;

const bundle = (version: string) => encodeUpdateBundle(signUpdate({ target: TOY_TARGET, version, minVersion: TOY_VERSION, releasedAt: 1, notes: '' }, utf8(`code ${version}`), release.secretKey));

before(async () => {
  server = await startTestServer();
  const toy = await registerToy(httpClient(server.url));
  toyId = toy.toyId;
  dataDir = mkdtempSync(join(tmpdir(), 'burrow-toy-schedule-'));
  await new FileStore(dataDir).set('token', toy.token);
});
after(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Waits (no time limit of its own: the test's) until a check after `from` says what `done` wants. */
async function nextCheck(results: (DownloadResult | { error: string })[], from: number, done: (r: DownloadResult) => boolean): Promise<{ result: DownloadResult; index: number }> {
  for (;;) {
    for (let i = from; i < results.length; i++) {
      const r = results[i]!;
      if ('error' in r) assert.fail(`a check failed: ${r.error}`);
      if (done(r)) return { result: r, index: i };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the toy checks at start and again on its own; an update is installed once, a rolled-back one not again, the next release is taken', { timeout: 300_000 }, async () => {
  const updates = createUpdates({ db: server.db, clock: systemClock });
  await updates.upload(bundle('9.1.0'));
  const slots = new UpdateSlots(dataDir);
  const results: (DownloadResult | { error: string })[] = [];
  const lines: string[] = [];
  const checks = startUpdateChecks({ server: server.url, dataDir, intervalMs: 100, log: (l) => lines.push(l), onChecked: (r) => results.push(r), trust: { releaseKey: release.publicKey } });
  try {
    // At start: installed into the idle slot for the next boot, and checked in as pending.
    const first = await nextCheck(results, 0, () => true);
    assert.equal(first.index, 0);
    assert.equal(first.result.installed, '9.1.0', first.result.message);
    assert.deepEqual(slots.state().trial, { slot: 'a', version: '9.1.0', boots: 0 });
    assert.equal((await updateReportOf(server.db, toyId))?.state, 'pending');
    assert.match(lines[0] ?? '', /^update check: installed 9\.1\.0 in slot a/);

    // Later checks, on the schedule: the same update is not fetched or installed again.
    const again = await nextCheck(results, 1, () => true);
    assert.equal(again.result.installed, undefined);
    assert.match(again.result.message, /^9\.1\.0 is installed already/);

    // Its start fails: rolled back. The next checks do not install 9.1.0 again.
    const beforeBoot = results.length;
    await slots.boot(() => Promise.resolve(false));
    // (A check that read the state before the rollback still says "installed already".)
    const skipped = await nextCheck(results, beforeBoot, (r) => !/installed already/.test(r.message));
    assert.match(skipped.result.message, /^9\.1\.0 failed to start on this toy and was rolled back/);
    assert.equal(skipped.result.installed, undefined);
    assert.equal(slots.state().trial, null);
    assert.equal((await updateReportOf(server.db, toyId))?.state, 'rolled_back');
    await nextCheck(results, skipped.index + 1, () => true);
    assert.equal(slots.state().trial, null, 'still not installed again');

    // A newer release is taken at the next check, with nobody asking.
    const beforeUpload = results.length;
    await updates.upload(bundle('9.2.0'));
    const next = await nextCheck(results, beforeUpload, (r) => !/failed to start on this toy/.test(r.message));
    assert.equal(next.result.installed, '9.2.0', next.result.message);
    assert.equal(slots.state().trial?.version, '9.2.0');
  } finally {
    checks.stop();
  }
});

test('an unreachable server is logged and tried again at the next check; the toy is not stopped', { timeout: 300_000 }, async () => {
  const lines: string[] = [];
  const results: (DownloadResult | { error: string })[] = [];
  const checks = startUpdateChecks({ server: 'http://127.0.0.1:9', dataDir, intervalMs: 100, log: (l) => lines.push(l), onChecked: (r) => results.push(r) });
  try {
    for (;;) {
      if (results.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(results.every((r) => 'error' in r));
    assert.match(lines[0] ?? '', /^update check failed: /);
  } finally {
    checks.stop();
  }
});
