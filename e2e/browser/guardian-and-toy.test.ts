/**
 * The product as a family meets it, in real Chromium against a real server: a guardian signs up in
 * one browser, the toy simulator runs in another, the guardian pairs it, records and sends; the toy's
 * heart lights and it plays exactly the bytes that were recorded; the toy answers and the guardian
 * hears exactly the toy's bytes. Every page is screenshotted at 360 px and desktop width and checked
 * with axe-core; the last test visits every signed-in page again in English and in German (390 px and
 * desktop screenshots, axe) and starts a German browser.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  blobAt,
  buildWeb,
  chromiumPath,
  lastRecordedHash,
  makeVoiceWav,
  openBrowser,
  PHONE_390,
  root,
  scratch,
  screenshots,
  startWebServer,
  waitFor,
  type BrowserSession,
} from './harness.js';
import {
  goTo,
  pairWithCode,
  playOnToy,
  recordAnswerOnToy,
  recorderReached,
  recordMessage,
  sendTimings,
  setUpFamily,
  showPairingCode,
  signUp,
  uniqueEmail,
  waitForToy,
} from './flows.js';

let server: Awaited<ReturnType<typeof startWebServer>>;
let guardian: BrowserSession;
let toy: BrowserSession;
const temp = scratch('burrow-browser-e2e-');

before(async () => {
  chromiumPath(); // fails here, loudly, when Chromium is missing
  buildWeb();
  server = await startWebServer();
  guardian = await openBrowser(
    makeVoiceWav(temp.dir, 'Hello Mia, it is Grandma. I love you. Sleep well, little one.'),
  );
  const toyDir = scratch('burrow-toy-voice-');
  toy = await openBrowser(makeVoiceWav(toyDir.dir, 'Hi Grandma! I built a tower today.'));
});

after(async () => {
  await toy?.close();
  await guardian?.close();
  await server?.close();
  temp.cleanup();
});

/** Checks a page for axe violations and for sideways scrolling at 360 px, then screenshots it. */
async function capture(session: BrowserSession, name: string): Promise<void> {
  await assertAccessible(session.page, name);
  await assertNoHorizontalOverflow(session.page);
  await screenshots(session.page, name, PHONE_390);
}

void test(
  'a guardian pairs the toy simulator, they exchange voice messages, and every page is accessible',
  { timeout: 240_000 },
  async () => {
    const g = guardian.page;
    const t = toy.page;

    // Signed out: sign-in and sign-up pages.
    await g.goto(`${server.url}/login`);
    await g.getByRole('heading', { name: 'Sign in to Burrow' }).waitFor();
    await g.getByRole('button', { name: 'Sign in', exact: true }).click();
    await g.getByRole('alert').filter({ hasText: 'Enter your email and your password.' }).waitFor();
    await capture(guardian, 'guardian-login');

    await g.goto(`${server.url}/signup`);
    await g.getByLabel('Password', { exact: true }).fill('password1');
    await g.getByRole('button', { name: 'Create account' }).click();
    await g
      .getByRole('alert')
      .filter({ hasText: /Enter your email address|too easy to guess/ })
      .waitFor();
    await capture(guardian, 'guardian-signup-weak-password');

    const email = uniqueEmail('grandma');
    await signUp(g, server.url, email);
    await capture(guardian, 'guardian-welcome');
    // Consent comes before any child profile exists.
    await g.getByLabel('Your child’s first name or nickname').fill('Mia');
    await g.getByRole('button', { name: 'Create our family' }).click();
    await g.getByRole('alert').filter({ hasText: 'privacy notice' }).waitFor();
    await setUpFamily(g, server.url, 'Mia', 'Grandma');
    await g.getByText('No messages yet').waitFor();
    await capture(guardian, 'guardian-home-empty');
    await goTo(g, 'Talk');
    await g.getByText('Pair a toy first').waitFor();
    await capture(guardian, 'guardian-talk-no-toy');
    await goTo(g, 'Listen');
    await capture(guardian, 'guardian-listen-empty');

    // The toy simulator boots, registers its own keys, and is not paired.
    await t.goto(`${server.url}/toy`);
    await waitForToy(t, 'the toy to come online', (s) => s.online && !s.paired);
    await capture(toy, 'toy-unpaired');

    // Pairing: the button is held, the code shown, the guardian types it.
    const code = await showPairingCode(t);
    await capture(toy, 'toy-pairing-code');
    await pairWithCode(g, code);
    await waitForToy(t, 'the toy to pin the family roster', (s) => s.paired, 15_000);
    await capture(guardian, 'guardian-toys');

    // The guardian records (holding the button) and sends; the message is sealed in the browser.
    await goTo(g, 'Talk');
    await capture(guardian, 'guardian-talk');
    await recordMessage(g, 3);
    await g.getByRole('heading', { name: 'Listen before you send' }).waitFor();
    await capture(guardian, 'guardian-talk-review');
    const sentHash = await lastRecordedHash(g);
    await g.getByRole('button', { name: 'Send to Mia’s toy' }).click();
    await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    const timing = await sendTimings(g);
    console.log(
      `seal ${timing['burrow:seal']?.toFixed(0)} ms, upload ${timing['burrow:upload']?.toFixed(0)} ms, total ${timing['burrow:send']?.toFixed(0)} ms (3 s message)`,
    );

    // The toy's heart lights up.
    await waitForToy(t, 'the message to reach the toy', (s) => s.unplayed === 1);
    await t.locator('svg.plush.heart-waiting').waitFor();
    await capture(toy, 'toy-heart-glowing');

    // It plays exactly what was recorded.
    const played = await playOnToy(t);
    const heard = await blobAt(t, played);
    assert.equal(heard.hash, sentHash, 'the toy played the bytes the guardian recorded');
    assert.ok(heard.duration > 0, `the toy's audio has a duration (${heard.duration})`);
    await waitForToy(t, 'the queue to empty', (s) => s.unplayed === 0);

    // The guardian sees it played (a receipt from the toy, relayed over the stream).
    await goTo(g, 'Home');
    await g.locator('.bubble.mine .ticks.played').waitFor({ timeout: 15_000 });

    // The toy answers: hold the record paw, release to send.
    await recordAnswerOnToy(t, 2);
    await t.getByText(/^Sent your .* answer to your family\./).waitFor({ timeout: 20_000 });
    const answerHash = await lastRecordedHash(t);

    // The guardian hears it on Listen without reloading (stream wake-up, then sync by cursor).
    await goTo(g, 'Listen');
    const bubble = g.locator('.bubble.theirs').first();
    await bubble.waitFor({ timeout: 20_000 });
    await g
      .getByText(/1 new message from Mia/)
      .first()
      .waitFor();
    await capture(guardian, 'guardian-listen');
    await bubble.getByRole('button', { name: /^Play message from Mia’s toy/ }).click();
    const answerUrl = await waitFor('the answer to play', async () => {
      const src = await g.evaluate<string>(
        `(() => { const a = document.querySelector('.bubble.theirs audio'); return a && a.src && (a.currentTime > 0 || !a.paused) ? a.src : ''; })()`,
      );
      return src || undefined;
    });
    const answer = await blobAt(g, answerUrl);
    assert.equal(answer.hash, answerHash, 'the guardian heard the bytes the toy recorded');
    assert.ok(answer.duration > 0);

    await goTo(g, 'Home');
    await g.locator('.bubble.theirs').first().waitFor();
    await capture(guardian, 'guardian-home');
    await goTo(g, 'Devices');
    await g.getByRole('cell', { name: 'Toy' }).first().waitFor();
    await capture(guardian, 'guardian-devices');

    // It installs: a manifest and an active service worker.
    assert.equal(
      await g.evaluate<boolean>('navigator.serviceWorker.ready.then((r) => r.active !== null)'),
      true,
    );
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as {
      start_url: string;
      icons: unknown[];
    };
    assert.equal(manifest.start_url, '/');
    assert.ok(manifest.icons.length >= 2);

    // A reload keeps everything: keys and the conversation live in this browser's IndexedDB.
    await g.reload();
    await goTo(g, 'Home');
    assert.equal(await g.locator('.timeline .bubble').count(), 2);

    assert.deepEqual(guardian.errors, [], 'no errors in the guardian app');
    assert.deepEqual(toy.errors, [], 'no errors in the toy simulator');
  },
);

void test(
  'a 30-second message is sealed and uploaded from the browser (tap to start, Enter to stop)',
  { timeout: 120_000 },
  async () => {
    const g = guardian.page;
    await goTo(g, 'Talk');
    const button = g.locator('button.record');
    await button.click(); // a tap: recording goes on
    await recorderReached(g, 30);
    // Stopped from the keyboard this time (Enter on the focused button), as a keyboard user would.
    await button.focus();
    await g.keyboard.press('Enter');
    await g.getByRole('heading', { name: 'Listen before you send' }).waitFor();
    await g.getByRole('button', { name: 'Send to Mia’s toy' }).click();
    await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });
    const timing = await sendTimings(g);
    const size = await g.evaluate<number>('window.__burrowTap.recorded.at(-1).size');
    console.log(
      `30-second message: ${(size / 1024).toFixed(0)} KiB recorded; seal ${timing['burrow:seal']?.toFixed(0)} ms, upload ${timing['burrow:upload']?.toFixed(0)} ms, seal + upload + post ${timing['burrow:send']?.toFixed(0)} ms`,
    );
    assert.ok(
      (timing['burrow:send'] ?? Infinity) < 10_000,
      'sealing and sending 30 s takes under 10 s on loopback',
    );
    await waitForToy(toy.page, 'the 30-second message to reach the toy', (s) => s.unplayed === 1);
  },
);

void test(
  'the app and the simulator also work as two tabs of one browser (one cookie jar)',
  { timeout: 120_000 },
  async () => {
    // What a newcomer does after `npm start`: the guardian's session cookie is sent from the toy tab too,
    // but the toy speaks with its own bearer token and keeps its keys in a database of its own.
    const g = guardian.page;
    const tab = await guardian.context.newPage();
    try {
      await tab.goto(`${server.url}/toy`);
      await waitForToy(tab, 'the second toy to come online', (s) => s.online && !s.paired);
      const code = await showPairingCode(tab);
      await pairWithCode(g, code);
      await waitForToy(tab, 'the second toy to pair', (s) => s.paired, 15_000);
      const toyId = (await tab.locator('.toy-log .mono').textContent())?.replace('Toy id ', '').trim() ?? '';

      await goTo(g, 'Talk');
      await g.getByLabel('Send to').selectOption(toyId);
      await recordMessage(g, 2);
      await g.getByRole('heading', { name: 'Listen before you send' }).waitFor();
      const sentHash = await lastRecordedHash(g);
      await g.getByRole('button', { name: 'Send to Mia’s toy 2' }).click();
      await g.getByText(/^(Sent[.,]|Delivered:|Played:) /).waitFor({ timeout: 30_000 });

      await waitForToy(tab, 'the message to reach the toy tab', (s) => s.unplayed === 1);
      const heard = await blobAt(tab, await playOnToy(tab));
      assert.equal(heard.hash, sentHash);
    } finally {
      await tab.close();
    }
  },
);

/**
 * Every signed-in page, with its heading in English and in German (src/i18n/locales). `shot`: the
 * English run screenshots it (the pages the first test does not already capture).
 */
const PAGES = [
  { path: '/', en: 'Home', de: 'Start', shot: false },
  { path: '/talk', en: 'Talk', de: 'Sprechen', shot: false },
  { path: '/listen', en: 'Listen', de: 'Hören', shot: false },
  { path: '/toys', en: 'Toys', de: null, shot: false },
  { path: '/family', en: 'Family', de: null, shot: true },
  { path: '/review', en: 'Review', de: 'Prüfen', shot: true },
  { path: '/activity', en: 'Activity', de: null, shot: true },
  { path: '/devices', en: 'Devices', de: 'Geräte', shot: false },
  { path: '/security', en: 'Security', de: null, shot: true },
  { path: '/notices', en: 'Notices', de: 'Mitteilungen', shot: true },
  { path: '/more', en: 'More', de: 'Mehr', shot: true },
] as const;

/**
 * Opens each page in the running app (history navigation, as a tab does: no reload per page), waits
 * for its heading and screenshots it at 390 px and desktop; in German also checks it with axe.
 */
async function visitEveryPage(session: BrowserSession, language: 'en' | 'de'): Promise<void> {
  const g = session.page;
  for (const p of PAGES) {
    if (language === 'en' && !p.shot) continue;
    await g.evaluate(
      `history.pushState(null, '', ${JSON.stringify(p.path)}); dispatchEvent(new PopStateEvent('popstate'))`,
    );
    const expected = p[language];
    if (expected) await g.getByRole('heading', { name: expected, level: 1 }).waitFor();
    else await g.locator('h1.page-title').waitFor();
    if (language === 'de') await assertAccessible(g, `${p.path} (German)`);
    await screenshots(
      g,
      `${p.path === '/' ? 'guardian-home' : `page${p.path.replace('/', '-')}`}-${language}`,
      PHONE_390,
    );
  }
}

void test(
  'the language: every page in English and German, German chosen on More and kept after a reload, dates in the German format, a German browser starts in German',
  { timeout: 300_000 },
  async () => {
    const g = guardian.page;
    await g.goto(`${server.url}/`);
    await g.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await visitEveryPage(guardian, 'en');
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'en');

    await goTo(g, 'Home');
    await g.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
    await g.getByLabel('Language').selectOption('de');
    await g.getByRole('heading', { name: 'Mehr', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'de');
    assert.equal(
      await g.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Hören' }).count(),
      1,
    );

    // A reload keeps German (the choice is remembered in this browser).
    await g.reload();
    await g.getByRole('heading', { name: 'Mehr', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'de');

    await g.evaluate(`history.pushState(null, '', '/listen'); dispatchEvent(new PopStateEvent('popstate'))`);
    await g.getByText('Du hast alles gehört.').waitFor();
    // Today's messages show the time alone, on the 24-hour clock: no AM/PM in German.
    const times = await g.locator('.timeline time').allTextContents();
    assert.ok(
      times.length > 0 && times.every((x) => /^\d{2}:\d{2}$/.test(x)),
      `German times: ${times.join(' | ')}`,
    );
    // A full date and time, German style (01.12.2026, 08:30): the sign-in sessions on Security.
    await g.evaluate(
      `history.pushState(null, '', '/security'); dispatchEvent(new PopStateEvent('popstate'))`,
    );
    await g.locator('h1.page-title').waitFor();
    await waitFor(
      'a German date on Security',
      async () =>
        /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/.test((await g.locator('main').textContent()) ?? '') || undefined,
    );
    assert.doesNotMatch((await g.locator('main').textContent()) ?? '', /\b(AM|PM)\b/);

    await visitEveryPage(guardian, 'de');
    // Back to English for anything that runs after.
    await g.evaluate(`history.pushState(null, '', '/more'); dispatchEvent(new PopStateEvent('popstate'))`);
    await g.getByLabel('Sprache').selectOption('en');
    await g.getByRole('heading', { name: 'More', level: 1 }).waitFor();

    // A browser whose language is German starts in German, before anyone chooses.
    const german = await openBrowser(
      join(root, 'packages/toy/assets/hello-from-grandma.wav'),
      PHONE_390,
      [],
      'de-DE',
    );
    try {
      await german.page.goto(`${server.url}/signup`);
      await german.page
        .getByRole('heading', { name: 'Konto für deine Familie erstellen', level: 1 })
        .waitFor();
      assert.equal(await german.page.evaluate<string>('document.documentElement.lang'), 'de');
      assert.equal(await german.page.getByLabel('Sprache').inputValue(), 'de');
      await assertAccessible(german.page, 'sign-up in German');
      await screenshots(german.page, 'lang-de-signup', PHONE_390);
      await german.page.getByRole('link', { name: 'Anmelden' }).click();
      await german.page.getByRole('heading', { name: 'Bei Burrow anmelden', level: 1 }).waitFor();
      await screenshots(german.page, 'lang-de-login', PHONE_390);
    } finally {
      await german.close();
    }
    assert.deepEqual(guardian.errors, [], 'no errors in the guardian app');
  },
);
