/**
 * Deleting through the UI, in real Chromium: a family's only guardian asks to delete their account and
 * is told what to do instead (the last-guardian rule); they delete the family from the Family page
 * (password again) and land on the first-run page with their account intact; then they delete the
 * account from there. The browser forgets its keys, says what happened, the old password no longer
 * signs in, and the server holds no row of the account. On the way, the guardian sets the retention
 * period and reads it in the family's activity log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, browserSuite, openBrowser, PASSWORD } from './harness.js';
import { goTo, setUpFamily, signUp, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-deletion-', 'Hello from the deletion test.');

void test(
  'the last guardian is told to delete the family first; the family, then the account, are deleted from the app',
  { timeout: 240_000 },
  async () => {
    const url = suite.server.url;
    const browser = await openBrowser(suite.voiceWav);
    suite.sessions.push(browser);
    const page = browser.page;
    page.on('dialog', (d) => void d.accept());
    const email = uniqueEmail('leaving');
    await signUp(page, url, email);
    await setUpFamily(page, url, 'Ada', 'Mum');
    const accountId = (
      await suite.server.db
        .selectFrom('accounts')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;

    // The only guardian cannot leave the family without a guardian: the page says what to do.
    await goTo(page, 'Security');
    const account = page.getByRole('region', { name: 'Delete your account' });
    await account.getByLabel('Your password').fill(PASSWORD);
    await account.getByRole('button', { name: 'Delete my account for good' }).click();
    await account
      .getByRole('alert')
      .filter({ hasText: /only guardian of a family.*delete the family/ })
      .waitFor();
    await assertAccessible(page, 'Security page with account deletion');

    // Before leaving: the guardian shortens how long the server keeps messages (Family page), and the
    // family's activity log (reached from the Family page) shows the change and the family's creation.
    await goTo(page, 'Family');
    const keep = page.getByRole('region', { name: 'How long the server keeps messages' });
    await keep.getByLabel(/Days to keep a delivered message/).fill('7');
    await keep.getByRole('button', { name: 'Save' }).click();
    await keep.getByRole('status').filter({ hasText: 'keeps delivered messages for 7 days' }).waitFor();
    await page.getByRole('link', { name: 'See the family’s activity' }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const log = page.getByRole('list', { name: 'Activity log' });
    // The log is written just after each answer: refresh until the change is in (a condition, not a sleep).
    for (let i = 0; i < 100 && !(await log.getByText('You changed how long the server keeps messages').isVisible()); i++)
      await page.getByRole('button', { name: 'Refresh' }).click();
    assert.ok(await log.getByText('You changed how long the server keeps messages').isVisible(), await log.innerText().catch(() => 'no log shown'));
    await log.getByText('You created the family').waitFor();
    await page.getByLabel('Show').selectOption({ label: 'Toys' });
    await page.getByText('Nothing to show for this choice.').waitFor();
    await page.getByLabel('Show').selectOption({ label: 'Everything' });
    await page.getByLabel('Who').selectOption({ label: 'You' });
    await log.getByText('You created the family').waitFor();
    await assertAccessible(page, 'Activity page');

    // Deleting the family asks for the password again; the account stays, back at the first-run page.
    await goTo(page, 'Family');
    const fam = page.getByRole('region', { name: 'Delete this family' });
    await fam.getByLabel('Your password').fill('not my password at all');
    await fam.getByRole('button', { name: 'Delete this family for good' }).click();
    await fam.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor();
    await fam.getByLabel('Your password').fill(PASSWORD);
    await fam.getByRole('button', { name: 'Delete this family for good' }).click();
    await page.getByRole('heading', { name: 'Welcome to Burrow' }).waitFor();
    const families = await suite.server.db
      .selectFrom('family_members')
      .select('family_id')
      .where('account_id', '=', accountId)
      .execute();
    assert.deepEqual(families, []);

    // Now the account: the browser forgets its keys and says so; the password opens nothing.
    const leave = page.getByRole('region', { name: 'Delete your account' });
    await leave.getByLabel('Your password').fill(PASSWORD);
    await leave.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.getByRole('status').filter({ hasText: 'Your account was deleted' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not right|wrong|incorrect/i })
      .waitFor();
    const left = await suite.server.db
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', accountId)
      .execute();
    assert.deepEqual(left, []);
    const devices = await suite.server.db
      .selectFrom('devices')
      .select('id')
      .where('account_id', '=', accountId)
      .execute();
    assert.deepEqual(devices, []);
    // The refusals above (409, 401) are logged by Chromium as failed loads, and so is a reload of the
    // deleted family that the stream's last event started (404); nothing else may be.
    assert.deepEqual(
      browser.errors.filter((e) => !/status of (409|404)/.test(e)),
      [],
    );
  },
);
