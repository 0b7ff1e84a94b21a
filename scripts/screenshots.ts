/**
 * Screenshots of every page of the web app, in English and German, at phone size (390 × 844) and
 * desktop (1280 wide), written to test-output/screenshots/all/ (git-ignored) as
 * <nn>-<page>-<en|de>-<390|desktop>.png. Not a test: it asserts nothing beyond finding each page's
 * heading; it is for people reviewing the UI (issue #14, "Done means").
 *
 * One story, driven in English through the same steps the browser tests use (e2e/browser/flows.ts):
 * a guardian signs up, sets up the family, pairs the toy simulator, sends a message and hears an
 * answer, invites a relative who joins, and a second browser of the same parent waits for approval.
 * At each stop the page is photographed in English, switched to German with the app's own language
 * picker (the header's on signed-out pages; on signed-in pages the one on More, then back by history
 * navigation, so a page's passing state, such as a shown invitation link, may be gone from the German
 * picture), photographed again, and switched back. The toy simulator, which follows the browser's
 * language, is opened again in a German browser.
 *
 *   npm run screenshots            (builds the web app if stale; about 5 minutes on a quiet machine)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  buildWeb,
  DESKTOP,
  makeVoiceWav,
  openBrowser,
  PASSWORD,
  PHONE_390,
  screenshotDir,
  scratch,
  startWebServer,
  type BrowserSession,
} from '../e2e/browser/harness.js';
import {
  goTo,
  pairWithCode,
  recordAnswerOnToy,
  recordMessage,
  saveRecoveryCodes,
  setUpFamily,
  showPairingCode,
  uniqueEmail,
  waitForToy,
} from '../e2e/browser/flows.js';

const out = join(screenshotDir, 'all');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const written: string[] = [];
const overflowing: string[] = [];
let counter = 0;

const frame = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

/** The page as it is now, at 390 px and desktop; the viewport grows to the page's height. */
async function photograph(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? PHONE_390;
  for (const [label, size] of [
    ['390', PHONE_390],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(size);
    await frame(page);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.ceil(height)) });
    await frame(page);
    if (label === '390') {
      // A page wider than the phone scrolls sideways: listed at the end, since a picture cut at
      // 390 px does not show it.
      const wider = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      if (wider > 0) overflowing.push(`${name}: ${String(wider)} px wider than 390 px`);
    }
    const path = join(out, `${name}-${label}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    written.push(path);
  }
  await page.setViewportSize(original);
}

const go = (page: Page, path: string) =>
  page.evaluate(`history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);

/** Chooses `language` with the app's picker: the header's when the page has one, else More's. */
async function chooseLanguage(page: Page, language: 'en' | 'de'): Promise<void> {
  const here = new URL(page.url()).pathname;
  const header = page.locator('header select.language-picker');
  if ((await header.count()) > 0) await header.first().selectOption(language);
  else {
    await go(page, '/more');
    await page.locator('main select.language-picker').selectOption(language);
    await go(page, here);
  }
  await page.waitForFunction(`document.documentElement.lang === ${JSON.stringify(language)}`);
  await page.locator('h1').first().waitFor();
}

/**
 * One stop of the story: the page in English, then in German, at both sizes; ends in English.
 * `germanToo: false` for a page whose state the trip to More would undo (a recording not yet sent)
 * and for the toy simulator (no picker: it follows the browser's language).
 */
async function shoot(page: Page, name: string, germanToo = true): Promise<void> {
  const stem = `${String(++counter).padStart(2, '0')}-${name}`;
  await page.locator('h1').first().waitFor({ timeout: 20_000 });
  await photograph(page, `${stem}-en`);
  if (germanToo) {
    await chooseLanguage(page, 'de');
    await photograph(page, `${stem}-de`);
    await chooseLanguage(page, 'en');
  }
  console.log(`${stem}: ${new URL(page.url()).pathname}`);
}

buildWeb();
const temp = scratch('burrow-screenshots-');
const wav = makeVoiceWav(temp.dir, 'Hello Sam, this is Mum.');
const server = await startWebServer();
const url = server.url;
const sessions: BrowserSession[] = [];
const open = async (locale?: string) => {
  const s = await openBrowser(wav, PHONE_390, [], locale);
  sessions.push(s);
  return s.page;
};

try {
  // Signed out.
  const g = await open('en-US');
  g.on('dialog', (d) => void d.accept());
  await g.goto(`${url}/signup`);
  await shoot(g, 'signup');
  await g.goto(`${url}/login`);
  await shoot(g, 'login');
  await g.goto(`${url}/reset-password`);
  await shoot(g, 'reset-password');
  // The mailed sign-up link's page, as a link that is not valid (any more) shows it.
  await g.goto(`${url}/verify-email#token=bl_${'A'.repeat(43)}`);
  await g.getByRole('alert').waitFor({ timeout: 30_000 });
  await shoot(g, 'verify-email-bad-link');

  // Sign-up and the first run.
  const email = uniqueEmail('mum');
  await g.goto(`${url}/signup`);
  await g.getByLabel('Email').fill(email);
  await g.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await g.locator('.meter-block[data-acceptable="true"]').waitFor({ timeout: 60_000 });
  await g.getByRole('button', { name: 'Create account' }).click();
  await g.getByRole('heading', { name: 'Save your recovery codes' }).waitFor({ timeout: 60_000 });
  await shoot(g, 'recovery-codes');
  await saveRecoveryCodes(g);
  await g.waitForURL(`${url}/welcome`);
  await shoot(g, 'welcome');
  await setUpFamily(g, url, 'Sam', 'Mum');
  await shoot(g, 'home-new-family');

  // The toy simulator, unpaired; then paired from Toys.
  const toy = await open('en-US');
  await toy.goto(`${url}/toy`);
  await waitForToy(toy, 'the toy simulator to come online', (s) => s.online && !s.paired, 60_000);
  await shoot(toy, 'toy-simulator', false);
  await goTo(g, 'Toys');
  await shoot(g, 'toys-pair');
  await pairWithCode(g, await showPairingCode(toy));
  await waitForToy(toy, 'the toy to pin the roster', (s) => s.paired, 60_000);
  await g.getByLabel(/keep messages until morning/).check();
  await shoot(g, 'toys-paired-settings');

  // A message to the toy, and the toy's answer.
  await goTo(g, 'Talk');
  await shoot(g, 'talk');
  await recordMessage(g);
  await g.getByRole('heading', { name: 'Listen before you send' }).waitFor();
  await shoot(g, 'talk-recorded', false);
  await g.getByRole('button', { name: /^Send to / }).click();
  await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 60_000 });
  await shoot(g, 'talk-sent');
  await waitForToy(toy, 'the message to reach the toy', (s) => s.unplayed > 0, 60_000);
  await toy.locator('svg.plush.heart-waiting').waitFor({ timeout: 30_000 });
  await shoot(toy, 'toy-simulator-message', false);
  await recordAnswerOnToy(toy);
  await toy.getByText(/^Sent your .* answer to your family\./).waitFor({ timeout: 60_000 });
  await goTo(g, 'Listen');
  await g.locator('.bubble.theirs').first().waitFor({ timeout: 60_000 });
  await shoot(g, 'listen');
  await goTo(g, 'Home');
  await shoot(g, 'home');

  // A relative joins with an invitation.
  await goTo(g, 'Family');
  await g.getByRole('button', { name: 'Create an invitation' }).click();
  const link = (await g.locator('.invite-link').textContent({ timeout: 30_000 })) ?? '';
  await shoot(g, 'family-invitation');
  const r = await open('en-US');
  await r.goto(link);
  await r.getByText('invited you to talk with Sam', { exact: false }).waitFor({ timeout: 30_000 });
  await shoot(r, 'join-signed-out');
  await r.getByLabel('Email').fill(uniqueEmail('grandma'));
  await r.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await r.locator('.meter-block[data-acceptable="true"]').waitFor({ timeout: 60_000 });
  await r.getByRole('button', { name: 'Create account' }).click();
  await saveRecoveryCodes(r);
  await r.getByRole('heading', { name: 'Join a family' }).waitFor({ timeout: 30_000 });
  await shoot(r, 'join');
  await r.getByRole('button', { name: 'Ask to join' }).click();
  await r.getByLabel('Your name, as the child knows you').fill('Grandma');
  await r.getByRole('button', { name: 'Ask to join' }).click();
  await r.getByRole('heading', { name: 'Waiting for a guardian' }).waitFor({ timeout: 30_000 });
  await shoot(r, 'join-waiting');
  await goTo(g, 'Family');
  await g.getByRole('button', { name: /^Approve / }).first().waitFor({ timeout: 30_000 });
  await shoot(g, 'family-join-request');
  await g.getByRole('button', { name: /^Approve / }).first().click();
  await g.getByRole('button', { name: 'Block Grandma' }).waitFor({ timeout: 60_000 });
  await shoot(g, 'family-members');
  await r.getByRole('heading', { name: 'Sam', level: 2 }).waitFor({ timeout: 60_000 });
  await shoot(r, 'relative-home');

  // The other signed-in pages.
  for (const page of ['Review', 'Devices', 'Security', 'Notices'] as const) {
    await goTo(g, page);
    await shoot(g, page.toLowerCase());
  }
  await go(g, '/activity');
  await shoot(g, 'activity');
  await go(g, '/more');
  await shoot(g, 'more');

  // The same parent on a second browser: waiting for approval, and the lost-phone page.
  const b = await open('en-US');
  await b.goto(`${url}/login`);
  await b.getByLabel('Email').fill(email);
  await b.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await b.getByRole('button', { name: 'Sign in', exact: true }).click();
  await b.getByRole('heading', { name: 'Approve this browser from your other device' }).waitFor({ timeout: 30_000 });
  await shoot(b, 'second-device-waiting');
  await go(b, '/recover');
  await shoot(b, 'recover');

  // The toy simulator follows the browser's language: once more in a German browser.
  const toyDe = await open('de-DE');
  await toyDe.goto(`${url}/toy`);
  await toyDe.locator('h1').first().waitFor({ timeout: 30_000 });
  await photograph(toyDe, `${String(++counter).padStart(2, '0')}-toy-simulator-de-browser`);
} finally {
  for (const s of sessions) await s.close().catch(() => undefined);
  await server.close();
  temp.cleanup();
}
console.log(`\n${String(written.length)} screenshots in ${out}`);
console.log(overflowing.length === 0 ? 'No page is wider than 390 px.' : `Wider than the phone:\n${overflowing.join('\n')}`);
