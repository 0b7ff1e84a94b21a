/**
 * The signed-in app's frame at phone size (390 px): five tabs at most, every other page one step away
 * on More (Notices included), Sign out in the header of every page, "Add another child" on Home where
 * the children are, and no device ids or roster versions shown to a parent. axe stays clean.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, assertNoHorizontalOverflow, browserSuite, openBrowser, screenshots } from './harness.js';
import { goTo, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-navigation-', 'Hello Sam.');

void test('five tabs, the rest on More, Sign out everywhere, a second child added on Home', { timeout: 180_000 }, async () => {
  const session = await openBrowser(suite.voiceWav);
  suite.sessions.push(session);
  const page = session.page;
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, suite.server.url, uniqueEmail('nav'));
  await setUpFamily(page, suite.server.url, 'Sam', 'Mum');

  const tabs = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  assert.deepEqual(
    (await tabs.allTextContents()).map((t) => t.trim()),
    ['Home', 'Talk', 'Listen', 'Family', 'More'],
  );

  // A second child, added where the children are listed.
  await page.getByText('Add another child').click();
  await page.getByLabel('First name or nickname').fill('Lea');
  await page.getByRole('button', { name: 'Add child' }).click();
  await page.getByRole('list', { name: 'Your children' }).getByRole('heading', { name: 'Lea', level: 2 }).waitFor({ timeout: 15_000 });
  await assertAccessible(page, 'Home with two children');
  await screenshots(page, 'home-two-children');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
  await page.getByRole('heading', { name: 'More', level: 1 }).waitFor();
  const more = page.getByRole('navigation', { name: 'More' }).getByRole('link');
  assert.deepEqual(
    (await more.allTextContents()).map((t) => t.trim()),
    ['Review', 'Toys', 'Devices', 'Security', 'Notices'],
  );
  await assertAccessible(page, 'More');
  await assertNoHorizontalOverflow(page);
  await screenshots(page, 'more');

  // Devices speaks of people and toys, not ids or versions.
  await goTo(page, 'Devices');
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /version \d/i);
  assert.doesNotMatch(text, /device id/i);
  assert.ok(text.includes('Mum'), 'this browser listed by the name its person chose');
  await screenshots(page, 'devices');

  // Notices is reachable on a phone, and Sign out is in the header of whatever page is open.
  await goTo(page, 'Notices');
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${suite.server.url}/login`);
  assert.deepEqual(session.errors, []);
});
