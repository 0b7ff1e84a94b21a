/**
 * A parent's second device (issue 14 item 2) and background notifications (item 7): the parent signs
 * in on a new browser, which shows its fingerprint and where to approve it; the first browser, in
 * the background, shows a system notification through its service worker, and back in front says on
 * any page that a device waits; it approves with Guardian preselected for the same account, and the
 * new browser can then send to the toy. When the child answers while the first browser is hidden
 * again, it shows a system notification for the answer too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, browserSuite, openBrowser, openNotifyingBrowser, PASSWORD, screenshots, waitFor, startHeadlessToy } from './harness.js';
import { goTo, pairWithCode, recordMessage, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-second-device-', 'Hello Sam, from my phone.');

void test('a second browser of the same parent is approved from the first and can then send', { timeout: 240_000 }, async () => {
  const first = await openNotifyingBrowser(suite.voiceWav);
  suite.sessions.push(first);
  const a = first.page;
  const email = uniqueEmail('mum');
  await signUp(a, suite.server.url, email);
  await setUpFamily(a, suite.server.url, 'Sam', 'Mum');
  const toy = await startHeadlessToy(suite);
  try {
    await pairWithCode(a, await toy.holdPairingButton());
    await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());

    // Notifications: allowed for this profile, asked for from the button on Home (not on load).
    await first.context.grantPermissions(['notifications'], { origin: suite.server.url });
    await a.evaluate('navigator.serviceWorker.ready');
    // The first browser goes to the background.
    await a.evaluate("Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })");

    // The same parent signs in on a new browser.
    const second = await openBrowser(suite.voiceWav);
    suite.sessions.push(second);
    const b = second.page;
    await b.goto(`${suite.server.url}/login`);
    await b.getByLabel('Email').fill(email);
    await b.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await b.getByRole('button', { name: 'Sign in', exact: true }).click();
    await b.getByRole('heading', { name: 'Approve this browser from your other device' }).waitFor({ timeout: 20_000 });
    await b.getByText('open Family: this browser is listed under “New devices waiting”', { exact: false }).waitFor();
    const fingerprint = (await b.getByTestId('waiting-fingerprint').textContent())?.trim() ?? '';
    assert.match(fingerprint, /^\d{5} \d{5} \d{5} \d{5} \d{5}$/);
    await assertAccessible(b, 'Home (new browser, not approved)');
    await screenshots(b, 'second-device-waiting');
    // Talk says the same instead of offering a Record button that cannot work yet.
    await goTo(b, 'Talk');
    await b.getByRole('heading', { name: 'Approve this browser from your other device' }).waitFor();
    assert.equal(await b.getByRole('button', { name: 'Record' }).count(), 0, 'no Record button before approval');
    await goTo(b, 'Home');

    // The first browser, hidden, shows a system notification through its service worker.
    await waitFor('a system notification about the new device', async () => {
      const titles = await a.evaluate<string[]>(
        'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => n.title))',
      );
      return titles.includes('A new device waits for approval');
    });

    // Back in front, it says so on whatever page is open, and leads to Family.
    await a.evaluate("Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })");
    await goTo(a, 'Talk');
    await a.getByRole('link', { name: /A new device waits for your approval/ }).click();
    await a.getByRole('heading', { name: 'Family', level: 1 }).waitFor();
    const card = a.locator('li.card', { has: a.getByRole('heading', { name: 'Your new device', level: 3 }) });
    await card.waitFor({ timeout: 20_000 });
    assert.deepEqual(await card.locator('.fingerprint').allTextContents(), [fingerprint]);
    assert.equal(await card.getByRole('checkbox', { name: /Guardian/ }).isChecked(), true, 'Guardian preselected for the same account');
    await assertAccessible(a, 'Family (own new device)');
    await screenshots(a, 'second-device-approve');
    await card.getByRole('button', { name: 'Approve device' }).click();

    // The new browser opens the family by itself and can send.
    await b.getByRole('heading', { name: 'Sam', level: 2 }).waitFor({ timeout: 30_000 });
    await waitFor('the toy to learn the new roster', async () => {
      const roster = await toy.device.roster();
      return roster?.devices.filter((d) => d.role === 'guardian').length === 2;
    });
    await goTo(b, 'Talk');
    await recordMessage(b);
    await b.getByRole('button', { name: /^Send to / }).click();
    await b.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    await waitFor('the new browser’s message to reach the toy', async () => (await toy.device.unplayedCount()) === 1);
    assert.deepEqual(second.errors, []);

    // The child answers while the first browser is in the background: a system notification.
    await a.evaluate("Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })");
    await toy.recordAnswer();
    await waitFor('a system notification about the answer', async () => {
      const shown = await a.evaluate<{ title: string; body: string }[]>(
        'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => ({ title: n.title, body: n.body })))',
      );
      return shown.some((n) => n.title === 'Sam answered' && /^A new message from Sam’s toy\./.test(n.body));
    });
  } finally {
    await toy.stop();
  }
});
