/**
 * `burrow-toy update check` against a real server over loopback: the toy finds the newest bundle
 * with its toy token, installs it only if it verifies, and refuses what the server serves when it
 * is not signed by the key the toy trusts.
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
import { FileStore } from '../file-store.js';
import { downloadLatestUpdate } from './download.js';
import { reportOf, reportUpdateState } from './report.js';
import { TOY_TARGET, TOY_VERSION } from './release-key.js';
import { UpdateSlots } from './slots.js';

const release = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
const dirs: string[] = [];
let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer();
  token = (await registerToy(httpClient(server.url))).token;
  const bundle = signUpdate({ target: TOY_TARGET, version: '9.1.0', minVersion: TOY_VERSION, releasedAt: 1, notes: '' }, utf8('code 9.1.0'), release.secretKey);
  await createUpdates({ db: server.db, clock: systemClock }).upload(encodeUpdateBundle(bundle));
});
after(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function toyData(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-toy-check-'));
  dirs.push(dir);
  await new FileStore(dir).set('token', token);
  return dir;
}

test('the toy downloads and installs the newest update signed by the key it trusts; then it is up to date', async () => {
  const dataDir = await toyData();
  const slots = new UpdateSlots(dataDir);
  const trust = { releaseKey: release.publicKey };
  const first = await downloadLatestUpdate({ server: server.url, dataDir, slots, trust });
  assert.equal(first.installed, '9.1.0', first.message);
  assert.equal(slots.state().trial?.version, '9.1.0');
  await slots.boot(() => Promise.resolve(true));
  const second = await downloadLatestUpdate({ server: server.url, dataDir, slots, trust });
  assert.equal(second.installed, undefined);
  assert.match(second.message, /up to date \(9\.1\.0\)/);
});

test('the toy refuses a bundle the server serves when it is not signed by the pinned key', async () => {
  const dataDir = await toyData();
  const slots = new UpdateSlots(dataDir);
  const result = await downloadLatestUpdate({ server: server.url, dataDir, slots });
  assert.equal(result.refused, true);
  assert.match(result.message, /bad_signature/);
  assert.equal(slots.state().trial, null);
});

test("the toy's check-in reaches the server: a pending update, then the version it runs", async () => {
  const dataDir = await toyData();
  const slots = new UpdateSlots(dataDir);
  await downloadLatestUpdate({ server: server.url, dataDir, slots, trust: { releaseKey: release.publicKey } });
  assert.deepEqual(reportOf(slots.state()), { target: TOY_TARGET, version: TOY_VERSION, state: 'pending', detail: '9.1.0 starts on the next boot' });
  assert.equal(await reportUpdateState({ server: server.url, dataDir, state: slots.state() }), true);
  const committed = await slots.boot(() => Promise.resolve(true));
  assert.equal(await reportUpdateState({ server: server.url, dataDir, state: committed }), true);
  assert.equal(await reportUpdateState({ server: 'http://127.0.0.1:9', dataDir, state: committed }), false, 'unreachable: no throw');
});
