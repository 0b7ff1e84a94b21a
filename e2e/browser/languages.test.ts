/**
 * The languages (issue 14): every signed-in page in English and in German, screenshotted at 390 px
 * and desktop into test-output/screenshots/ (page-*-en, page-*-de) with axe on the German ones, and
 * German section headings on the pages with several cards; German chosen on More, kept after a
 * reload, `<html lang>` set, dates in the German format; and a browser whose language is German
 * starts in German, and shows password reset, an invitation and the toy simulator in German; the
 * retention setting's help in German for a period chosen on the Family page. One
 * browser session visits every page.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertRecoveryCodesApart, setUpFamily, signUp, uniqueEmail } from './flows.js';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  browserSuite,
  openBrowser,
  PASSWORD,
  PHONE_390,
  root,
  screenshots,
  waitFor,
  type BrowserSession,
} from './harness.js';

const suite = browserSuite('burrow-languages-', 'Hello Mia.');

/**
 * Every signed-in page, with its heading in English and in German (src/i18n/locales), and for the
 * pages built of several cards some of their German section headings (the cards are components of
 * their own: Deleting, RetentionSetting, ActivitySummarySetting).
 */
const PAGES: readonly { path: string; en: string; de: string; cards?: readonly string[] }[] = [
  { path: '/', en: 'Home', de: 'Start' },
  { path: '/talk', en: 'Talk', de: 'Sprechen' },
  { path: '/listen', en: 'Listen', de: 'Hören' },
  { path: '/toys', en: 'Toys', de: 'Spielzeuge', cards: ['Ein Spielzeug koppeln'] },
  {
    path: '/family',
    en: 'Family',
    de: 'Familie',
    cards: ['Jemanden einladen', 'Wie lange der Server Nachrichten behält', 'Diese Familie löschen'],
  },
  { path: '/review', en: 'Review', de: 'Prüfen' },
  { path: '/activity', en: 'Activity', de: 'Aktivität', cards: ['Zusammenfassung per E-Mail'] },
  { path: '/devices', en: 'Devices', de: 'Geräte' },
  {
    path: '/security',
    en: 'Security',
    de: 'Sicherheit',
    cards: ['Zweistufige Anmeldung', 'Dein Konto löschen'],
  },
  { path: '/notices', en: 'Notices', de: 'Mitteilungen' },
  { path: '/more', en: 'More', de: 'Mehr' },
];

/**
 * Opens each page in the running app (history navigation, as a tab does: no reload per page), waits
 * for its heading and screenshots it at 390 px and desktop; in German also checks it with axe.
 */
async function visitEveryPage(session: BrowserSession, language: 'en' | 'de'): Promise<void> {
  const g = session.page;
  for (const p of PAGES) {
    await g.evaluate(
      `history.pushState(null, '', ${JSON.stringify(p.path)}); dispatchEvent(new PopStateEvent('popstate'))`,
    );
    await g.getByRole('heading', { name: p[language], level: 1 }).waitFor();
    if (language === 'de') {
      for (const card of p.cards ?? [])
        await g.getByRole('heading', { name: card, level: 2, exact: true }).waitFor();
      await assertAccessible(g, `${p.path} (German)`);
      // Long German words must wrap, not push the page sideways (Devices' table once did).
      if (p.path === '/devices') await assertNoHorizontalOverflow(g);
    }
    await screenshots(g, `page-${p.path === '/' ? 'home' : p.path.slice(1)}-${language}`, PHONE_390);
  }
}

void test(
  'the language: every page in English and German, German chosen on More and kept after a reload, dates in the German format, a German browser starts in German',
  { timeout: 300_000 },
  async () => {
    const guardian = await openBrowser(suite.voiceWav, PHONE_390);
    suite.sessions.push(guardian);
    const g = guardian.page;
    await signUp(g, suite.server.url, uniqueEmail('languages'));
    await setUpFamily(g, suite.server.url, 'Mia', 'Mum');
    await g.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await visitEveryPage(guardian, 'en');
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'en');

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
    // An invitation made in German, for the German browser below to open.
    await g.evaluate(`history.pushState(null, '', '/family'); dispatchEvent(new PopStateEvent('popstate'))`);
    await g.getByRole('button', { name: 'Einladung erstellen' }).click();
    const invitation = (await g.locator('.invite-link').textContent({ timeout: 15_000 })) ?? '';
    assert.match(invitation, /\/join#/);
    // The retention setting's help in German, for a period chosen here: deleted once every device
    // fetched it and it is older than the period, counted from sending (retention/sweep.ts).
    const keep = g.getByRole('region', { name: 'Wie lange der Server Nachrichten behält' });
    await keep.getByLabel(/Tage, die eine zugestellte Nachricht bleibt/).fill('12');
    await keep.getByRole('button', { name: 'Speichern' }).click();
    await keep.getByRole('status').filter({ hasText: 'jetzt 12 Tage' }).waitFor();
    assert.equal(
      await keep.locator('p').first().textContent(),
      'Burrows Server löscht eine Nachricht endgültig – die Aufnahme und ihre Angaben –, sobald jedes Gerät, an das sie ging, sie abgeholt hat und sie älter ist als 12 Tage (gezählt ab dem Senden). Eine Nachricht, die ein Gerät nach 30 Tagen nicht abgeholt hat, wird ebenfalls gelöscht, und der Absender erfährt es. Ein „für immer“ gibt es nicht. Kopien auf den Geräten deiner Familie und auf dem Spielzeug sind nicht betroffen, und verschlüsselte Sicherungskopien behalten eine Kopie, bis sie auslaufen.',
    );
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
      await german.page.goto(`${suite.server.url}/signup`);
      await german.page
        .getByRole('heading', { name: 'Konto für deine Familie erstellen', level: 1 })
        .waitFor();
      assert.equal(await german.page.evaluate<string>('document.documentElement.lang'), 'de');
      assert.equal(await german.page.getByLabel('Sprache').inputValue(), 'de');
      // The password checker's advice is German too (zxcvbn-ts's German texts), its verdict the server's.
      await german.page.getByLabel('Passwort', { exact: true }).fill('iloveyouiloveyou');
      const advice = german.page.locator('.meter-block[data-acceptable="false"] .hint');
      await advice.filter({ hasText: 'Sich wiederholende Zeichenmuster' }).waitFor({ timeout: 20_000 });
      assert.match((await advice.textContent()) ?? '', /zu leicht zu erraten/);
      await assertAccessible(german.page, 'sign-up in German');
      await screenshots(german.page, 'lang-de-signup', PHONE_390);
      await german.page.getByRole('link', { name: 'Anmelden' }).click();
      await german.page.getByRole('heading', { name: 'Bei Burrow anmelden', level: 1 }).waitFor();
      await screenshots(german.page, 'lang-de-login', PHONE_390);

      // Signed out: password reset, the invitation a guardian shared, and the toy simulator.
      await german.page.goto(`${suite.server.url}/reset-password`);
      await german.page.getByRole('heading', { name: 'Passwort zurücksetzen', level: 1 }).waitFor();
      await german.page.getByRole('button', { name: 'Mit einem Wiederherstellungscode' }).waitFor();
      await assertAccessible(german.page, 'password reset in German');
      await german.page.goto(invitation);
      await german.page.getByText('Mum hat dich eingeladen, bei Burrow mit Mia zu sprechen.').waitFor();
      await german.page.getByRole('button', { name: 'Ich habe schon ein Konto' }).waitFor();
      await assertAccessible(german.page, 'invitation in German');
      await screenshots(german.page, 'lang-de-join', PHONE_390);
      // Signing up from it: the recovery codes' German heading is one long compound word, which once
      // ran off a phone's screen; it must wrap.
      await german.page.getByLabel('E-Mail').fill(uniqueEmail('oma'));
      await german.page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
      await german.page.locator('.meter-block[data-acceptable="true"]').waitFor({ timeout: 30_000 });
      await german.page.getByRole('button', { name: 'Konto erstellen' }).click();
      await german.page
        .getByRole('heading', { name: 'Speichere deine Wiederherstellungscodes', level: 1 })
        .waitFor({ timeout: 30_000 });
      await assertNoHorizontalOverflow(german.page);
      await assertRecoveryCodesApart(german.page);
      await screenshots(german.page, 'lang-de-recovery-codes', PHONE_390);
      await german.page.goto(`${suite.server.url}/toy`);
      await german.page.getByRole('heading', { name: 'Burrow-Spielzeug', level: 1 }).waitFor();
      await german.page.getByRole('button', { name: 'Kopplungstaste' }).waitFor();
      await assertAccessible(german.page, 'toy simulator in German');
      await screenshots(german.page, 'lang-de-toy', PHONE_390);
    } finally {
      await german.close();
    }
    assert.deepEqual(guardian.errors, [], 'no errors in the guardian app');
  },
);
