/**
 * The Toys page with the toy simulator, in real Chromium: the guardian pairs by scanning the QR code
 * the simulator shows (a fake camera fed a Y4M video of that QR code), sees the toy online live,
 * renames it, sees its unplayed count on Home, and unpairs it — the simulator wipes itself and pairs
 * again, and its earlier answer keeps its name on Listen. The simulator is woken over its ticketed WebSocket: no inbox polling while idle. It shows
 * its software and keys and renews its identity key through the guardian's app.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { peek } from '@burrow/server/testing';
import type { Page } from 'playwright-core';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  browserSuite,
  openBrowser,
  screenshots,
  waitFor,
  type BrowserSession,
} from './harness.js';
import {
  goTo,
  pairWithCode,
  playOnToy,
  recordAnswerOnToy,
  recordMessage,
  setUpFamily,
  showPairingCode,
  signUp,
  uniqueEmail,
  waitForToy,
} from './flows.js';
import { qrY4m } from './qr-camera.js';

const suite = browserSuite('burrow-toys-', 'Hello Bunny, this is Dad.');

async function capture(session: BrowserSession, name: string): Promise<void> {
  await assertAccessible(session.page, name);
  await assertNoHorizontalOverflow(session.page);
  await screenshots(session.page, name);
}

/** Requests the page makes to a path, counted from now on. */
function countRequests(page: Page, path: string): { count: () => number } {
  let n = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === path) n++;
  });
  return { count: () => n };
}

void test(
  'pair by scanning the QR code, see presence and unplayed live, rename, unpair and pair again',
  { timeout: 300_000 },
  async () => {
    const toy = await openBrowser(suite.voiceWav);
    suite.sessions.push(toy);
    const t = toy.page;
    const inbox = countRequests(t, '/v1/inbox');
    const tickets = countRequests(t, '/v1/toys/me/stream-tickets');

    await t.goto(`${suite.server.url}/toy`);
    await waitForToy(t, 'the simulator to connect its stream', (s) => s.online && !s.paired);
    assert.ok(tickets.count() >= 1, 'the simulator asked for a stream ticket');
    const code = await showPairingCode(t);
    await t.getByRole('img', { name: /QR code/ }).waitFor();
    await capture(toy, 'toy-pairing-qr');

    // The guardian's phone camera sees the toy's QR code (what the simulator encodes: a link with the code).
    const y4m = qrY4m(join(suite.temp.dir, 'qr.y4m'), `${suite.server.url}/toys#pair=${code}`);
    const guardian = await openBrowser(suite.voiceWav, undefined, [`--use-file-for-fake-video-capture=${y4m}`]);
    suite.sessions.push(guardian);
    const g = guardian.page;
    await signUp(g, suite.server.url, uniqueEmail('dad'));
    await setUpFamily(g, suite.server.url, 'Ada', 'Dad');
    await goTo(g, 'Toys');
    await g.getByText('No toy paired yet').waitFor();
    await capture(guardian, 'guardian-toys-empty');
    await g.getByRole('button', { name: 'Scan the toy’s QR code' }).click();
    await g.getByText(/^Paired! /).waitFor({ timeout: 20_000 });
    await waitForToy(t, 'the simulator to pin the roster', (s) => s.paired, 15_000);

    // Presence is live: the toy's stream is open.
    const card = g.getByRole('listitem').filter({ has: g.getByRole('heading', { name: 'Ada’s toy' }) });
    await card.getByText('Online').waitFor({ timeout: 15_000 });

    // Rename: the name is sealed to the family's devices; the app shows it everywhere.
    await card.getByRole('button', { name: 'Rename' }).click();
    await g.getByLabel('New name for Ada’s toy').fill('Bunny');
    await assertAccessible(g, 'Toys, renaming');
    await g.getByRole('button', { name: 'Save name' }).click();
    await g.getByRole('heading', { name: 'Bunny', level: 2 }).waitFor();
    const rows = await peek(() => suite.server.db.selectFrom('toy_names').select('name_ciphertext').execute());
    assert.ok(rows.length === 1 && !rows[0]!.name_ciphertext.includes('Bunny'), 'the server holds only the sealed name');
    await capture(guardian, 'guardian-toys-named');

    // No polling: while nothing happens, the simulator does not ask for its inbox.
    const idleFrom = inbox.count();
    await t.waitForTimeout(6000);
    assert.equal(inbox.count(), idleFrom, 'no inbox requests while idle (the old simulator polled every 2 s)');

    // A message reaches the simulator through a stream wake-up, and Home counts it as unplayed.
    await goTo(g, 'Talk');
    await recordMessage(g, 2);
    await g.getByRole('button', { name: 'Send to Bunny' }).click();
    await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    const sentAt = Date.now();
    await waitForToy(t, 'the message to reach the simulator', (s) => s.unplayed === 1, 10_000);
    const latency = Date.now() - sentAt;
    console.log(`simulator wake-up: message queued ${latency} ms after the send`);
    assert.ok(inbox.count() - idleFrom <= 3, 'the wake-up fetched the inbox a few times, not on a timer');
    await goTo(g, 'Home');
    const line = g.locator('.toy-line').filter({ hasText: 'Bunny' });
    await line.getByText('1 message not played yet').waitFor({ timeout: 15_000 });
    await line.getByText('Online').waitFor();
    await capture(guardian, 'guardian-home-toy-online');
    await playOnToy(t);
    await line.getByText('all messages played').waitFor({ timeout: 15_000 });

    // The toy answers; Listen names it. After its renewal and its unpairing below, the answer is
    // still Bunny's, never "Family member" (issue #14 item 8).
    await recordAnswerOnToy(t, 2);
    await t.getByText(/^Sent your .* answer to your family\./).waitFor({ timeout: 20_000 });
    await goTo(g, 'Listen');
    await g.locator('.bubble.theirs .who').filter({ hasText: /^Bunny$/ }).waitFor({ timeout: 20_000 });

    // The simulator shows its software (up to date) and its keys, and asks the family to renew its
    // identity key; a guardian's app performs it on its next key check, and the toy switches to its
    // new id keeping its place: name, child, presence (docs/protocol.md §17.6).
    await t.getByText('What the toy did').click();
    await waitFor('the software check', async () => (await t.locator('.toy-software').getAttribute('data-up-to-date')) === 'true', 15_000);
    await t.getByText(/^Software \d+\.\d+\.\d+ — up to date$/).waitFor();
    const keys = t.locator('.toy-keys');
    await keys.getByText(/^Message key no\. \d+, made .+ · \d+ message keys? held$/).waitFor();
    await keys.getByText('Identity key: the one it was paired with').waitFor();
    const firstId = await t.locator('.toy-status').getAttribute('data-toy-id');
    const renew = keys.getByRole('button', { name: 'Renew identity key' });
    await renew.click();
    await keys.getByText(/^Asked: a guardian’s device renews this toy’s identity/).waitFor();
    await keys.getByText('Identity renewal asked for: waiting for a guardian’s device.').waitFor();
    assert.equal(await keys.getAttribute('data-renewal-pending'), 'true');
    assert.equal(await renew.isDisabled(), true, 'one request at a time');
    await capture(toy, 'toy-renewal-asked');
    // The guardian's app checks keys at most hourly: the test forgets when it last did (an hour
    // passing), and the app's next start checks.
    await g.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('burrow');
      open.onerror = () => reject(new Error('no database'));
      open.onsuccess = () => {
        const tx = open.result.transaction('state', 'readwrite');
        tx.objectStore('state').delete('kemCheckedAt');
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    })`);
    await g.reload();
    await waitFor('the simulator to switch to its new id', async () => {
      const id = await t.locator('.toy-status').getAttribute('data-toy-id');
      return id !== firstId && (await keys.getAttribute('data-renewal-pending')) === 'false';
    }, 30_000);
    await keys.getByText(/^Identity key renewed /).waitFor();
    await waitForToy(t, 'the renewed simulator to reconnect', (s) => s.online && s.paired, 15_000);
    await goTo(g, 'Toys');
    const renewed = g.getByRole('listitem').filter({ has: g.getByRole('heading', { name: 'Bunny' }) });
    await renewed.getByText('Online').waitFor({ timeout: 15_000 });
    // The guardian sees the version the simulator checked in, moved to its new id with it.
    await renewed.getByText(/^Software \d+\.\d+\.\d+ — up to date\.$/).waitFor({ timeout: 15_000 });
    await capture(toy, 'toy-renewed');

    // Unpair: the guardian confirms; the toy is told, wipes itself and can be paired again.
    const oldToyId = await t.locator('.toy-status').getAttribute('data-toy-id');
    await goTo(g, 'Toys');
    await g.getByRole('button', { name: 'Unpair' }).click();
    await assertAccessible(g, 'Toys, confirming unpair');
    await screenshots(g, 'guardian-toys-unpair-confirm');
    await g.getByRole('button', { name: 'Yes, unpair Bunny' }).click();
    await g.getByText('No toy paired yet').waitFor({ timeout: 15_000 });
    await goTo(g, 'Listen');
    assert.deepEqual(await g.locator('.bubble.theirs .who').allTextContents(), ['Bunny'], 'the unpaired toy’s answer keeps its name');
    await waitFor('the simulator to reset', async () => (await t.locator('.toy-status').getAttribute('data-unpaired')) === 'true', 15_000);
    await t.getByText('Unpaired: ready to pair again', { exact: false }).waitFor();
    const newToyId = await t.locator('.toy-status').getAttribute('data-toy-id');
    assert.notEqual(newToyId, oldToyId, 'the toy took a new identity');
    await waitForToy(t, 'the reset simulator to reconnect', (s) => s.online && !s.paired && s.unplayed === 0, 15_000);
    await capture(toy, 'toy-unpaired-again');

    const again = await showPairingCode(t);
    await pairWithCode(g, again);
    await waitForToy(t, 'the simulator to pair again', (s) => s.paired, 15_000);
    const card2 = g.getByRole('listitem').filter({ has: g.getByRole('heading', { name: 'Ada’s toy' }) });
    await card2.getByText('Online').waitFor({ timeout: 15_000 });

    // The toy goes away: the guardian sees it offline without reloading.
    await t.goto('about:blank');
    await card2.getByText(/Offline · last seen/).waitFor({ timeout: 15_000 });
    await capture(guardian, 'guardian-toys-offline');

    await goTo(g, 'Devices');
    await g.getByRole('link', { name: 'Sessions and sign out elsewhere' }).waitFor();

    assert.deepEqual(guardian.errors, [], 'no errors in the guardian app');
    assert.deepEqual(toy.errors.filter((e) => !/WebSocket|401/.test(e)), [], 'no errors in the simulator');
  },
);
