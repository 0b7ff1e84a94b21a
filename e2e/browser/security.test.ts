/**
 * Account security through the UI, in real Chromium: a passkey registered on the Security page with
 * a virtual authenticator (Chrome DevTools Protocol WebAuthn domain: CTAP2, internal, resident keys,
 * user verification), sign-out, and sign-in with that passkey alone; then TOTP enrolled on the page
 * (the test computes codes from the shown key with the same library the server uses, `otpauth`) and
 * a sign-in with password plus code. The new pages are checked with axe-core and photographed at
 * phone and desktop widths, as is sign-up's recovery-code step.
 *
 * WebAuthn refuses IP addresses as relying-party ids, so this suite talks to the server as
 * http://localhost:<port> (a secure context, like 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  browserSuite,
  openBrowser,
  PASSWORD,
  screenshots,
} from './harness.js';
import { goTo, saveRecoveryCodes, setUpFamily, uniqueEmail } from './flows.js';

const suite = browserSuite('burrow-security-', 'Hello from the security test.');

async function openSecurity(page: Page): Promise<void> {
  await goTo(page, 'Security');
}

async function signOut(page: Page, url: string): Promise<void> {
  await goTo(page, 'Devices');
  await page.getByRole('button', { name: 'Sign out of this browser' }).click();
  await page.waitForURL(`${url}/login`);
}

void test(
  'a passkey made on the Security page signs in without a password; TOTP enrolled there is asked for after the password',
  { timeout: 240_000 },
  async () => {
    const url = suite.server.url.replace('127.0.0.1', 'localhost');
    const browser = await openBrowser(suite.voiceWav);
    suite.sessions.push(browser);
    const page = browser.page;
    page.on('dialog', (d) => void d.accept());
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    // Sign-up ends with the recovery codes, shown once and confirmed by typing one back.
    const email = uniqueEmail('security');
    await page.goto(`${url}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page
      .getByRole('meter', { name: 'Password strength' })
      .and(page.locator('[aria-valuenow="4"]'))
      .waitFor();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByLabel('Type one of the codes to confirm you saved them').fill('abcde-fghjk');
    await page.getByRole('button', { name: 'I have saved my codes' }).click();
    await page.getByRole('alert').filter({ hasText: 'That is not one of the codes above' }).waitFor();
    await assertAccessible(page, 'Sign-up recovery codes');
    await assertNoHorizontalOverflow(page);
    await screenshots(page, 'signup-recovery-codes');
    const codes = await saveRecoveryCodes(page);
    assert.ok(codes.every((c) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(c)));
    await page.waitForURL(`${url}/welcome`);
    await setUpFamily(page, url, 'Ada', 'Mum');

    // --- a passkey ---
    await openSecurity(page);
    await page.getByText('No passkeys yet.').waitFor();
    await page.getByText('You are signed in only here.').waitFor();
    await assertAccessible(page, 'Security');
    await assertNoHorizontalOverflow(page);
    await screenshots(page, 'security');
    await page.getByLabel('Name for a new passkey (optional)').fill('Test phone');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey “Test phone” added.', { exact: false }).waitFor({ timeout: 15_000 });
    await page.getByRole('list', { name: 'Your passkeys' }).getByText('Test phone').waitFor();
    const credentials = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.credentials.length, 1);
    assert.equal(credentials.credentials[0]?.isResidentCredential, true, 'a discoverable credential');
    await page.getByRole('list', { name: 'Security events' }).getByText('Passkey added').waitFor();

    await signOut(page, url);
    await assertAccessible(page, 'Sign in (with passkey button)');
    await screenshots(page, 'login-passkey');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor({ timeout: 15_000 });
    await openSecurity(page);
    await page.getByRole('list', { name: 'Security events' }).getByText('Signed in with a passkey').waitFor();

    // --- TOTP ---
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).waitFor();
    const secret = await page.locator('.totp-secret').getAttribute('data-secret');
    assert.match(secret ?? '', /^[A-Z2-7]{32}$/);
    await assertAccessible(page, 'Security (TOTP enrolment)');
    await assertNoHorizontalOverflow(page);
    await screenshots(page, 'security-totp');
    const totp = new TOTP({
      issuer: 'Burrow',
      secret: Secret.fromBase32(secret!),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    await page.getByLabel('6-digit code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await page.getByLabel('6-digit code from the app').fill(totp.generate());
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByText('Two-step sign-in is on.', { exact: false }).waitFor();

    await signOut(page, url);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-step sign-in', level: 1 }).waitFor();
    await assertAccessible(page, 'Sign in (second step)');
    await screenshots(page, 'login-second-step');
    // The code of the next time step: the one used at enrolment cannot be used again.
    await page
      .getByLabel('Code from your authenticator app (or a recovery code)')
      .fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor({ timeout: 15_000 });

    // --- the mailed-link pages, signed in or not ---
    await page.goto(`${url}/verify-email#token=bl_${'A'.repeat(43)}`);
    await page.getByRole('alert').filter({ hasText: 'This link is not valid' }).waitFor();
    await assertAccessible(page, 'Verify email (bad link)');
    await screenshots(page, 'verify-email-failed');
    await page.goto(`${url}/reset-password`);
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'With a recovery code' }).click();
    await assertAccessible(page, 'Reset password');
    await assertNoHorizontalOverflow(page);
    await screenshots(page, 'reset-password');

    assert.deepEqual(
      browser.errors.filter((e) => !/status of 40[03]/.test(e)),
      [],
    );
  },
);
