/**
 * Favourites in real Chromium (issue #14 item 7; docs/protocol.md §18), one browser session with the
 * guardian app and the toy simulator side by side: the guardian sends a message, the toy plays it,
 * the guardian keeps it on the toy from Listen ("1 of 5 kept"), the simulator lists it, and its
 * favourite paw replays exactly the bytes the guardian recorded — after the message had already played.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, blobAt, browserSuite, lastRecordedHash, openBrowser, waitFor } from './harness.js';
import { goTo, pairWithCode, playOnToy, recordMessage, setUpFamily, showPairingCode, signUp, uniqueEmail, waitForToy } from './flows.js';

const suite = browserSuite('burrow-favourites-', 'Goodnight Mia, sleep tight. Love, Mum.');

void test('a guardian keeps a played message on the toy from Listen, and the simulator replays its exact bytes', { timeout: 240_000 }, async () => {
  const url = suite.server.url;
  const browser = await openBrowser(suite.voiceWav);
  suite.sessions.push(browser);
  const g = browser.page;
  await signUp(g, url, uniqueEmail('mum'));
  await setUpFamily(g, url, 'Mia', 'Mum');

  // The simulator in a second tab of the same browser (its own IndexedDB database).
  const t = await browser.context.newPage();
  await t.goto(`${url}/toy`);
  await waitForToy(t, 'the toy to come online', (s) => s.online && !s.paired);
  await pairWithCode(g, await showPairingCode(t));
  await waitForToy(t, 'the toy to pin the family roster', (s) => s.paired, 15_000);

  await goTo(g, 'Talk');
  await recordMessage(g, 2);
  // The recording is complete once its review shows (the hash is taken from it).
  await g.getByRole('heading', { name: 'Listen before you send' }).waitFor();
  const sentHash = await lastRecordedHash(g);
  await g.getByRole('button', { name: 'Send to Mia’s toy' }).click();
  await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
  await waitForToy(t, 'the message to reach the toy', (s) => s.unplayed === 1);
  assert.equal((await blobAt(t, await playOnToy(t))).hash, sentHash);
  await waitForToy(t, 'the queue to empty', (s) => s.unplayed === 0);

  // Listen: the guardian keeps it on the toy; the count says so.
  await goTo(g, 'Listen');
  await g.getByText(/★ 0 of 5 kept on/).waitFor();
  await g.getByRole('button', { name: 'Keep on toy' }).click();
  await g.getByRole('button', { name: 'Kept on toy', pressed: true }).waitFor();
  await g.getByText(/★ 1 of 5 kept on/).waitFor();
  await assertAccessible(g, 'Listen with a favourite kept');

  // The simulator keeps it and its favourite paw replays the very bytes that were recorded.
  await t.bringToFront();
  await waitFor('the toy to keep the favourite', async () => ((await t.locator('section.favourites').getAttribute('data-kept')) === '1' ? true : undefined), 20_000);
  await t.getByText('Favourites: 1 of 5 kept').waitFor();
  await t.locator('.speaker').evaluate('(a) => { a.pause(); a.removeAttribute("src"); }');
  await t.getByRole('button', { name: /^Favourite/ }).click();
  const src = await waitFor('the toy to replay the favourite', async () => {
    const s = await t.evaluate<string>(`(() => { const a = document.querySelector('audio.speaker'); return a && a.src && (a.currentTime > 0 || !a.paused) ? a.src : ''; })()`);
    return s || undefined;
  });
  assert.equal((await blobAt(t, src)).hash, sentHash);
  await assertAccessible(t, 'Toy simulator with a favourite');
  assert.deepEqual(browser.errors, []);
});
