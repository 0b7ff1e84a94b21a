/**
 * The browser toy simulator (/toy) rotates and erases its message key while it sits open with nobody
 * doing anything (docs/protocol.md §14.3), in real Chromium. Nothing wakes it — no message, no
 * reload: the server runs on a clock the test moves, and the page's clock (Playwright's) jumps the
 * same days forward, which fires the simulator's own maintenance timer. A week on it publishes a key
 * record its identity signed; two days after that it holds one message key again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FamilyDevice, MemoryStore } from '@burrow/client';
import { parseKemKeyRecord, verifyKemKeyRecord } from '@burrow/protocol';
import { peek, startTestServer, type TestServer } from '@burrow/server/testing';
import { buildWeb, chromiumPath, makeVoiceWav, openBrowser, PASSWORD, scratch, waitFor, type BrowserSession } from './harness.js';
import { showPairingCode, waitForToy } from './flows.js';

const DAY = 24 * 60 * 60 * 1000;

/** The server's clock: real time shifted by `offset` (time runs, so timers and sessions behave). */
const shift = { offset: 0 };
const clock = { now: () => Date.now() + shift.offset };

const temp = scratch('burrow-simulator-rotation-');
let server: TestServer;
let voiceWav = '';
const sessions: BrowserSession[] = [];
before(async () => {
  chromiumPath();
  buildWeb();
  server = await startTestServer({ clock });
  voiceWav = makeVoiceWav(temp.dir, 'Hello Bunny.');
});
after(async () => {
  for (const s of sessions) await s.close();
  await (server as TestServer | undefined)?.close();
  temp.cleanup();
});

void test('the toy simulator left open rotates its message key a week on and erases the old one after the grace, on its own timer', { timeout: 300_000 }, async () => {
  const browser = await openBrowser(voiceWav);
  sessions.push(browser);
  const t = browser.page;
  await t.clock.install({ time: clock.now() });
  await t.goto(`${server.url}/toy`);
  await waitForToy(t, 'the simulator to connect its stream', (s) => s.online && !s.paired);
  const code = await showPairingCode(t);

  // The guardian pairs it from another device (here: the client library on Node).
  const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: server.url }), store: new MemoryStore() });
  await mum.signUp(`mum-${String(Date.now())}@example.com`, PASSWORD);
  const familyId = await mum.createFamily();
  const toyId = await mum.claimToy(familyId, await mum.createChild(familyId, 'Ada'), code);
  await waitForToy(t, 'the simulator to pin the roster', (s) => s.paired, 20_000);
  const keys = t.locator('.toy-keys');
  // The first key's age starts at the first sync after pairing (a key with no state yet shows as
  // epoch 0 too): moving the clocks before that sync ran would start the key's week after the jump.
  await waitFor('the first key to be dated', async () => (await keys.getAttribute('data-kem-epoch')) === '0' && Boolean(await keys.getAttribute('data-kem-since')));
  // A wait that times out says what the simulator logged and showed, so a failure in CI explains itself.
  const explained = async <T>(wait: Promise<T>): Promise<T> =>
    wait.catch(async (err: unknown) => {
      const log = await t.locator('.toy-log li').allTextContents().catch(() => []);
      const shown = `epoch ${String(await keys.getAttribute('data-kem-epoch'))}, held ${String(await keys.getAttribute('data-kem-held'))}`;
      throw new Error(`${err instanceof Error ? err.message : String(err)}; simulator shows ${shown}; its log: ${JSON.stringify(log)}; errors: ${JSON.stringify(browser.errors)}`);
    });

  // Eight days later on both clocks, with the page left alone: its timer syncs, the key rotates.
  // Each step may take up to 120 s: a fresh-clone CI on a loaded 2-core machine once took over 60 s.
  shift.offset = 8 * DAY;
  await t.clock.fastForward(8 * DAY);
  const row = await explained(
    waitFor('the server to hold the simulator’s new key record', () =>
      peek(() => server.db.selectFrom('device_kem_keys').selectAll().where('device_id', '=', toyId).executeTakeFirst()), 120_000,
    ),
  );
  const record = parseKemKeyRecord(JSON.parse(row.record_json));
  assert.equal(record.epoch, 1);
  const toyRow = await peek(() => server.db.selectFrom('devices').select('sign_public_key').where('id', '=', toyId).executeTakeFirstOrThrow());
  assert.ok(verifyKemKeyRecord(record, toyRow.sign_public_key), 'signed by the simulator’s identity key');
  await explained(waitFor('the simulator to show its new key', async () => (await keys.getAttribute('data-kem-epoch')) === '1' && (await keys.getAttribute('data-kem-held')) === '2', 120_000));

  // Three days more: the grace period (2 days) is over, and the retired key is erased.
  shift.offset = 11 * DAY;
  await t.clock.fastForward(3 * DAY);
  await explained(waitFor('the simulator to erase its old key', async () => (await keys.getAttribute('data-kem-held')) === '1', 120_000));
  assert.equal(await keys.getAttribute('data-kem-epoch'), '1');
  assert.deepEqual(browser.errors.filter((e) => !/WebSocket/.test(e)), [], 'no errors in the simulator');
});
