/**
 * Losing every approved device (issue #14 item 2; docs/safety.md "Losing every device"): the family's
 * only guardian signs in on a new browser after their phone is wiped. From the waiting screen,
 * "Lost your phone?" leads to /recover. The password alone, a wrong code and a used recovery code
 * are refused and the headless toy keeps its roster; an unused code plus the code the toy shows while
 * its button is held makes this browser the guardian, the toy pins that roster itself, and then takes
 * what this browser sends.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, browserSuite, openBrowser, PASSWORD, screenshots, waitFor, startHeadlessToy } from './harness.js';
import { goTo, pairWithCode, recordMessage, saveRecoveryCodes, setUpFamily, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-recovery-', 'Hello Sam, it is Mum on my new phone.');

void test('a sole guardian with no device left gets back in with a recovery code and the toy, not with the password alone', { timeout: 300_000 }, async () => {
  const first = await openBrowser(suite.voiceWav);
  const a = first.page;
  const email = uniqueEmail('sole');
  await a.goto(`${suite.server.url}/signup`);
  await a.getByLabel('Email').fill(email);
  await a.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await a.getByRole('meter', { name: 'Password strength' }).and(a.locator('[aria-valuenow="4"]')).waitFor();
  await a.getByRole('button', { name: 'Create account' }).click();
  const codes = await saveRecoveryCodes(a);
  await a.waitForURL(`${suite.server.url}/welcome`);
  await setUpFamily(a, suite.server.url, 'Sam', 'Mum');
  const toy = await startHeadlessToy(suite);
  try {
    await pairWithCode(a, await toy.holdPairingButton());
    await waitFor('the headless toy to pin the roster', () => toy.device.isPaired());
    const before = (await toy.device.roster())!;
    // The phone is wiped: its browser profile is gone.
    await first.close();

    // Earlier, the parent reset the password with one recovery code: that code is used.
    const newPassword = `${PASSWORD} and a new phone`;
    const reset = await fetch(`${suite.server.url}/v1/password-resets/recovery-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, recoveryCode: codes[1], password: newPassword }),
    });
    assert.equal(reset.status, 204);

    const second = await openBrowser(suite.voiceWav);
    suite.sessions.push(second);
    const b = second.page;
    await b.goto(`${suite.server.url}/login`);
    await b.getByLabel('Email').fill(email);
    await b.getByLabel('Password', { exact: true }).fill(newPassword);
    await b.getByRole('button', { name: 'Sign in', exact: true }).click();
    await b.getByRole('heading', { name: 'Approve this browser from your other device' }).waitFor({ timeout: 20_000 });
    const fingerprint = (await b.getByTestId('waiting-fingerprint').textContent())?.trim() ?? '';
    await b.getByRole('link', { name: 'Lost your phone?' }).click();
    await b.getByRole('heading', { name: 'Lost your phone?', level: 1 }).waitFor();
    // Option (a) first: another guardian approves, comparing this fingerprint.
    assert.equal((await b.getByTestId('recover-fingerprint').textContent())?.trim(), fingerprint);
    await assertAccessible(b, 'Lost your phone?');
    await screenshots(b, 'recover');

    const pairing = await toy.holdPairingButton();
    const alert = b.getByRole('alert');
    const submit = b.getByRole('button', { name: 'Make this browser the guardian' });
    // The password alone: no recovery code.
    await b.getByLabel('Code the toy shows while you hold its pairing button').fill(pairing);
    await submit.click();
    await alert.filter({ hasText: 'Both are needed' }).waitFor();
    // A guessed code: the server refuses it.
    await b.getByLabel('Recovery code').fill('zzzzz-zzzzz');
    await submit.click();
    await alert.filter({ hasText: 'not one of this account’s unused codes' }).waitFor({ timeout: 20_000 });
    // The used code.
    await b.getByLabel('Recovery code').fill(codes[1]!);
    await submit.click();
    await alert.filter({ hasText: /not one of this account’s unused codes/ }).waitFor({ timeout: 20_000 });
    assert.equal((await toy.device.roster())!.version, before.version, 'the toy kept its roster through every refusal');

    // An unused code and the toy in hand.
    await b.getByLabel('Recovery code').fill(codes[2]!);
    await submit.click();
    await b.getByRole('heading', { name: 'Home', level: 1 }).waitFor({ timeout: 30_000 });
    await waitFor('the toy to verify and pin the recovery roster', async () => {
      const roster = await toy.device.roster();
      return roster?.version === before.version + 1;
    });
    const after = (await toy.device.roster())!;
    assert.deepEqual(after.devices.filter((d) => d.role === 'guardian').length, 1);
    assert.ok(!after.devices.some((d) => before.devices.some((old) => old.id === d.id && old.role === 'guardian')), 'the wiped phone is out');
    assert.equal(await b.getByRole('heading', { name: 'Approve this browser from your other device' }).count(), 0);

    await goTo(b, 'Talk');
    await recordMessage(b);
    await b.getByRole('button', { name: /^Send to / }).click();
    await b.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    await waitFor('the new guardian’s message to reach the toy', async () => (await toy.device.unplayedCount()) === 1);
    // Chromium logs the two refused attempts' 400s; nothing else may fail.
    assert.deepEqual(second.errors.filter((e) => !/status of 400/.test(e)), []);
    assert.equal(second.errors.length, 2);
  } finally {
    await toy.stop();
  }
});
