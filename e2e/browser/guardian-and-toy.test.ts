/**
 * The product as a family meets it, in real Chromium against a real server: a guardian signs up in
 * one browser, the toy simulator runs in another, the guardian pairs it, records and sends; the toy's
 * heart lights and it plays exactly the bytes that were recorded; the toy answers and the guardian
 * hears exactly the toy's bytes. Every page is screenshotted at 360 px and desktop width and checked
 * with axe-core (e2e/browser/languages.test.ts does the same in German).
 */
import assert from 'node:assert/strict';
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
    // Once the audio has ended, "Playing a message from …" gives way (issue #14 item 8: it stayed).
    await waitFor('the toy’s “Playing…” line to clear after playback', async () => {
      const ended = await t.evaluate<boolean>(`document.querySelector('audio.speaker')?.ended === true`);
      return ended && !/Playing/.test((await t.locator('.toy-live').textContent()) ?? '');
    }, 30_000);
    assert.equal(await t.locator('svg.plush.heart-playing').count(), 0, 'the heart no longer plays');

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
    // A guardian's Listen is the whole conversation (every message to and from the toy is sealed to
    // guardians), so it counts new messages, not only the child's.
    await g
      .getByText(/^1 new message\.$/)
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
    // Played to its end, the bubble offers Play again (not Pause).
    await waitFor('the answer to end and its bubble to offer Play again', async () => {
      const ended = await g.evaluate<boolean>(`document.querySelector('.bubble.theirs audio')?.ended === true`);
      return ended && (await bubble.getByRole('button', { name: /^Play message from Mia’s toy/ }).count()) === 1;
    }, 30_000);

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
