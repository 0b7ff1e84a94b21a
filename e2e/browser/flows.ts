/**
 * Steps a person takes in the guardian app and the toy simulator, driven through the UI by role and
 * label (as a screen reader would find them), shared by the browser test files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { holdUntil, PASSWORD, waitFor } from './harness.js';

export const uniqueEmail = (label: string): string =>
  `${label}-${randomBytes(4).toString('hex')}@example.com`;

/** Signs up on /signup; lands on the first-run page. */
export async function signUp(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page
    .getByRole('meter', { name: 'Password strength' })
    .and(page.locator('[aria-valuenow="4"]'))
    .waitFor();
  await page.getByRole('button', { name: 'Create account' }).click();
  await saveRecoveryCodes(page);
  await page.waitForURL(`${url}/welcome`);
}

/** A box on the page, in CSS pixels of the viewport. */
interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The recovery codes are laid out so each can be read and copied at the page's width: no code or its
 * number overlaps another code or number (at 390 px the list numbers once hung over the neighbouring
 * code), none reaches past the viewport's edge. Measures every number and code element.
 */
export async function assertRecoveryCodesApart(page: Page): Promise<void> {
  await page.evaluate('document.fonts.ready');
  const { boxes, width } = await page.evaluate<{ boxes: Box[]; width: number }>(`(() => ({
    width: document.documentElement.clientWidth,
    boxes: [...document.querySelectorAll('ol.codes li > *')].map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  }))()`);
  assert.equal(boxes.length, 20, 'ten codes, each with its number as an element of its own');
  // Half a pixel of tolerance for subpixel rounding of touching edges.
  const apart = (a: Box, b: Box) =>
    a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
  for (const [i, a] of boxes.entries()) {
    assert.ok(a.left >= 0 && a.right <= width, `"${a.text}" (${a.left.toFixed(1)}–${a.right.toFixed(1)} px) fits the ${String(width)} px viewport`);
    for (const b of boxes.slice(i + 1))
      assert.ok(apart(a, b), `"${a.text}" and "${b.text}" do not overlap: ${JSON.stringify([a, b])}`);
  }
}

/**
 * Sign-up's recovery-code step: reads the ten codes shown once, confirms one; returns them all.
 * `measure: false` skips the layout check (bench/first-message.ts times the step as a person takes it).
 */
export async function saveRecoveryCodes(page: Page, { measure = true } = {}): Promise<string[]> {
  await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
  const list = page.getByRole('list', { name: 'Recovery codes' });
  assert.equal(await list.getByRole('listitem').count(), 10);
  const codes = await list.locator('.recovery-code').allTextContents();
  assert.equal(codes.length, 10);
  // Every sign-up in the browser tests checks the layout at its width (360 or 390 px, or desktop).
  if (measure) await assertRecoveryCodesApart(page);
  await page.getByLabel('Type one of the codes to confirm you saved them').fill(codes[0]!);
  await page.getByRole('button', { name: 'I have saved my codes' }).click();
  return codes;
}

/** Agrees to the privacy notice and creates the family with its first child; lands on Home. */
export async function setUpFamily(page: Page, url: string, child: string, senderName: string): Promise<void> {
  await page
    .getByRole('heading', { name: 'Welcome to Burrow' })
    .waitFor()
    .catch(async (err: unknown) => {
      // Say what the page showed instead: a CI log is all there is to go on.
      const shown = await page.evaluate('document.body.innerText').catch(() => '(unreadable)');
      throw new Error(
        `no "Welcome to Burrow" at ${page.url()}; the page showed: ${String(shown).slice(0, 600)}`,
        { cause: err },
      );
    });
  await page.getByLabel(/I am this child’s parent or legal guardian/).check();
  await page.getByLabel('Your child’s first name or nickname').fill(child);
  await page.getByLabel('Your name, as your child knows you').fill(senderName);
  await page.getByRole('button', { name: 'Create our family' }).click();
  await page.waitForURL(`${url}/`);
  await page.getByRole('heading', { name: 'Home' }).waitFor();
}

export async function goTo(
  page: Page,
  tab: 'Home' | 'Talk' | 'Listen' | 'Toys' | 'Family' | 'Devices' | 'Review' | 'Security' | 'Notices',
): Promise<void> {
  // Five tabs at most (components/Layout.tsx): the other pages are one step away on More.
  const nav = page.getByRole('navigation', { name: 'Main' });
  // The tab bar first (a page still opening has none), then whether the page is one of its tabs.
  await nav.getByRole('link', { name: 'More' }).waitFor();
  const direct = nav.getByRole('link', { name: tab });
  if ((await direct.count()) > 0) await direct.click();
  else {
    await nav.getByRole('link', { name: 'More' }).click();
    await page.getByRole('navigation', { name: 'More' }).getByRole('link', { name: tab }).click();
  }
  await page.getByRole('heading', { name: tab, level: 1 }).waitFor();
}

/** Holds the toy's pairing button until the toy shows a code (a second), and reads the code. */
export async function showPairingCode(toy: Page): Promise<string> {
  await holdUntil(
    toy,
    'button.pair-button',
    'the toy to show a pairing code',
    async () => (await toy.locator('.pairing-code').count()) > 0,
  );
  const code = await toy.locator('.pairing-code').getAttribute('data-code', { timeout: 10_000 });
  assert.match(code ?? '', /^[0-9A-Z]{6}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return code!;
}

/**
 * Sets a time of day on the English app's hour/minute control (components/ClockInput.tsx, Toys'
 * quiet hours), found by its legend ("From"): AM or PM first where the language shows it, then hour
 * and minute, as a person picks them.
 */
export async function setClock(page: Page, legend: string, hhmm: string): Promise<void> {
  const group = page.getByRole('group', { name: legend, exact: true });
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  const period = group.getByLabel('AM or PM');
  const twelve = (await period.count()) > 0;
  if (twelve) await period.selectOption(String(hour >= 12 ? 12 : 0));
  await group.getByLabel('Hour').selectOption(String(twelve ? hour % 12 : hour));
  await group.getByLabel('Minute').selectOption(String(minute));
}

/** The time an hour/minute control shows, read as a person sees it: selected options and separators. */
export async function shownClock(page: Page, legend: string): Promise<string> {
  // In document order: each select's chosen option and the separators between the selects.
  const parts = await page
    .getByRole('group', { name: legend, exact: true })
    .locator('.clock > *')
    // Runs in the page (this project's Node types have no DOM: the element's shape is spelt out).
    .evaluateAll((els: { tagName: string; textContent: string | null; selectedOptions?: ArrayLike<{ textContent: string | null }> }[]) =>
      els.map((e) => ({
        select: e.tagName === 'SELECT',
        text: (e.tagName === 'SELECT' ? e.selectedOptions?.[0]?.textContent : e.textContent) ?? '',
      })),
    );
  // Two selects side by side ("05", "PM") read with the space the row's gap shows between them.
  return parts.map((p, i) => (p.select && parts[i - 1]?.select ? ` ${p.text}` : p.text)).join('');
}

/** The hour, minute and AM/PM selects of a time control all sit on one line (none wrapped below). */
export async function assertClockOnOneLine(page: Page, legend: string): Promise<void> {
  const selects = await page.getByRole('group', { name: legend, exact: true }).locator('.clock > select').all();
  const tops = await Promise.all(selects.map(async (s) => Math.round((await s.boundingBox())?.y ?? -1)));
  assert.equal(new Set(tops).size, 1, `"${legend}": the selects on one line at ${String(page.viewportSize()?.width)} px (tops ${tops.join(', ')})`);
}

/** Types a toy's code on the Toys page. */
export async function pairWithCode(page: Page, code: string): Promise<void> {
  await goTo(page, 'Toys');
  // Typed the way a person might: lower case, spaces instead of dashes.
  await page.getByLabel('Pairing code').fill(code.toLowerCase().replace(/-/g, ' '));
  await page.getByRole('button', { name: 'Pair toy' }).click();
  await page.getByText(/^Paired! /).waitFor({ timeout: 15_000 });
}

/** The app's `burrow:*` performance measures of the last send, in milliseconds. */
export async function sendTimings(page: Page): Promise<Record<string, number>> {
  return await page.evaluate<Record<string, number>>(
    `Object.fromEntries(['burrow:seal', 'burrow:upload', 'burrow:send'].map((n) => [n, (performance.getEntriesByName(n).at(-1) || { duration: NaN }).duration]))`,
  );
}

export interface ToyStatus {
  online: boolean;
  paired: boolean;
  unplayed: number;
}

export async function toyStatus(toy: Page): Promise<ToyStatus> {
  const el = toy.locator('.toy-status');
  return {
    online: (await el.getAttribute('data-online')) === 'true',
    paired: (await el.getAttribute('data-paired')) === 'true',
    unplayed: Number(await el.getAttribute('data-unplayed')),
  };
}

export async function waitForToy(
  toy: Page,
  what: string,
  predicate: (s: ToyStatus) => boolean,
  timeoutMs = 20_000,
): Promise<ToyStatus> {
  return waitFor(
    what,
    async () => {
      const s = await toyStatus(toy);
      return predicate(s) ? s : undefined;
    },
    timeoutMs,
  );
}

/** Presses the play paw; returns the object URL the toy's <audio> element plays once it is playing. */
export async function playOnToy(toy: Page): Promise<string> {
  await toy.getByRole('button', { name: /^Play/ }).click();
  return waitFor('the toy to play', async () => {
    const src = await toy.evaluate<string>(
      `(() => { const a = document.querySelector('audio.speaker'); return a && a.src && (a.currentTime > 0 || !a.paused) ? a.src : ''; })()`,
    );
    return src || undefined;
  });
}

/**
 * Holds Talk's record button until the recorder has really taken `seconds` of audio (its timer says
 * so), then releases. A fixed hold is not enough on a loaded machine: the microphone can take a
 * second to start, and a release before then leaves a recording too short to send.
 */
export async function recordMessage(page: Page, seconds = 2): Promise<void> {
  const before = await recordings(page);
  // Up to 90 s: a fresh-clone CI on a loaded 2-core machine once took over 30 s to show 2 s
  // (recovery.test, 2 December); the hold ends as soon as the timer shows them.
  await holdUntil(
    page,
    'button.record',
    `the recorder to take ${String(seconds)} s`,
    () => timerShows(page, '.timer', /^(\d+):(\d\d)/, seconds),
    90_000,
  );
  await recordingDone(page, before);
}

/** How many recordings the page's MediaRecorders have finished (harness.ts's test tap; -1 without it). */
const recordings = (page: Page): Promise<number> => page.evaluate<number>('window.__burrowTap?.recorded.length ?? -1');

/**
 * The recorder's 'stop' event comes after the release: a hash taken before it is the previous
 * recording's (the archive test failed so, once, on a loaded machine).
 */
async function recordingDone(page: Page, before: number): Promise<void> {
  if (before < 0) return;
  await waitFor('the recording to finish', async () => (await recordings(page)) > before, 30_000);
}

/** Waits until the recorder's timer shows at least `seconds` (however the recording was started). */
export async function recorderReached(page: Page, seconds: number): Promise<void> {
  await waitFor(
    `the recorder to take ${String(seconds)} s`,
    () => timerShows(page, '.timer', /^(\d+):(\d\d)/, seconds),
    30_000,
  );
}

/**
 * Holds the toy simulator's record paw until its "Recording… m:ss" line shows `seconds`, then
 * releases: the answer is sent. Same reason as recordMessage for not holding a fixed time.
 */
export async function recordAnswerOnToy(toy: Page, seconds = 2): Promise<void> {
  const before = await recordings(toy);
  await holdUntil(toy, 'button.paw.right', `the toy to record ${String(seconds)} s`, () =>
    timerShows(toy, '.toy-live', /Recording… (\d+):(\d\d)/, seconds),
  );
  await recordingDone(toy, before);
}

/**
 * Whether the m:ss time `pattern` finds in an element's text has reached `seconds`. The toy's
 * pattern names "Recording…": the same line says "Sent your 0:02 answer" after an earlier answer.
 */
async function timerShows(page: Page, selector: string, pattern: RegExp, seconds: number): Promise<boolean> {
  // Read from here, not evaluated in the page: the app's CSP forbids string evaluation.
  const m = pattern.exec((await page.locator(selector).textContent()) ?? '');
  return m !== null && Number(m[1]) * 60 + Number(m[2]) >= seconds;
}
