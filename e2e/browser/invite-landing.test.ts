/**
 * Issue #14 item 5, grandma's first minutes, in Chromium at 390 × 844 against a real server: the
 * guardian labels an invitation and shares it (the phone's share sheet, or a copy where there is
 * none); the link's page says who invites her to talk with whom before she makes an account, and
 * refuses an unknown code before sign-up; a second link opened in the same tab replaces the first.
 * (A used code refused before sign-up is in family.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, browserSuite, openBrowser, PASSWORD, screenshots } from './harness.js';
import { goTo, saveRecoveryCodes, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-invite-landing-', 'Hello Ada, this is Grandma.');
const PHONE_390 = { width: 390, height: 844 };

void test('an invitation link says who invites whom, is checked before sign-up, is shared, and the newest link in a tab wins', { timeout: 240_000 }, async () => {
  const guardian = await openBrowser(suite.voiceWav, PHONE_390);
  suite.sessions.push(guardian);
  const g = guardian.page;
  await signUp(g, suite.server.url, uniqueEmail('dad'));
  await setUpFamily(g, suite.server.url, 'Ada', 'Dad');

  // Two invitations: the second is labelled for Grandma and shared through the share sheet.
  await goTo(g, 'Family');
  await g.getByRole('button', { name: 'Create an invitation' }).click();
  const first = (await g.locator('.invite-link').textContent({ timeout: 10_000 })) ?? '';
  await g.getByLabel('Who is it for? (optional)').fill('Grandma');
  await g.getByRole('button', { name: 'Create an invitation' }).click();
  await g.getByRole('heading', { name: 'Invitation for Grandma' }).waitFor({ timeout: 10_000 });
  const second = (await g.locator('.invite-link').textContent()) ?? '';
  assert.notEqual(second, first);
  assert.match(second, /\/join#[0-9A-Z-]{23}\?from=Dad&child=Ada$/);
  await g.evaluate(`Object.defineProperty(navigator, 'share', { configurable: true, value: (data) => { window.__shared = data; return Promise.resolve(); } })`);
  await g.getByRole('button', { name: 'Share' }).click();
  const shared = await g.waitForFunction('window.__shared').then((h) => h.jsonValue() as Promise<{ url: string; text: string }>);
  assert.equal(shared.url, second);
  assert.match(shared.text, /^Grandma, join our family on Burrow/);
  await assertAccessible(g, 'Family (labelled invitation)');
  await screenshots(g, 'family-invitation-labelled');

  // Grandma's browser: a mistyped code is refused before any account exists.
  const relative = await openBrowser(suite.voiceWav, PHONE_390);
  suite.sessions.push(relative);
  const r = relative.page;
  await r.goto(`${suite.server.url}/join#AAAAA-AAAAA-AAAAA-AAAAA?from=Dad`);
  await r.getByText('That invitation code was not found.', { exact: false }).waitFor({ timeout: 15_000 });
  assert.equal(await r.getByRole('button', { name: 'Create account' }).count(), 0, 'no sign-up for an unknown code');
  // The first link, then the second, in the same tab: the page follows the newest.
  await r.goto(first);
  await r.getByText('Dad invited you to talk with Ada on Burrow.').waitFor({ timeout: 15_000 });
  await r.goto(second);
  await r.getByRole('button', { name: 'Create account' }).waitFor({ timeout: 15_000 });
  await assertAccessible(r, 'Join landing (signed out)');
  await screenshots(r, 'join-landing');
  await r.getByLabel('Email').fill(uniqueEmail('grandma'));
  await r.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await r.getByRole('meter', { name: 'Password strength' }).and(r.locator('[aria-valuenow="4"]')).waitFor();
  await r.getByRole('button', { name: 'Create account' }).click();
  await saveRecoveryCodes(r);
  await r.getByRole('heading', { name: 'Join a family' }).waitFor({ timeout: 15_000 });
  const secondCode = second.slice(second.indexOf('#') + 1, second.indexOf('?'));
  assert.equal(await r.getByLabel('Invitation code').inputValue(), secondCode, 'the newer link’s code');
  await r.getByLabel('Your name, as the child knows you').fill('Grandma');
  await r.getByRole('button', { name: 'Ask to join' }).click();
  await r.getByRole('heading', { name: 'Waiting for a guardian' }).waitFor({ timeout: 15_000 });
  // The refused code's 404 is the only console line the browser logs.
  assert.deepEqual(relative.errors.filter((e) => !/status of 404/.test(e)), []);
  assert.deepEqual(guardian.errors, []);
});
