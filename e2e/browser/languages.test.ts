/**
 * The languages (issue 14), in one browser whose language is German: it starts in German before
 * anyone chooses (sign-up with the password checker's German advice, sign-in refusing a wrong
 * password, password reset refusing a recovery code, a mailed link that is not valid, the toy simulator), signs up in German (the recovery codes' long German heading wraps, the codes lie apart),
 * then English is chosen with the page's picker and kept after a reload; every signed-in page is
 * visited in English, then German is chosen on More (`<html lang>`, the tabs), dates are in the German
 * format, and every page is visited in German with its section headings, axe on each, and screenshots
 * at 390 px and desktop into test-output/screenshots/ (page-*-de); Security's and Family's
 * refusals in German (a refusal is said by its reason, never in the server's English); the retention setting's help in
 * German for a period chosen on the Family page; signed out, the invitation made in German reads in
 * German. One browser and one sign-up for all of it (STYLE.md 16: a second browser and a second
 * sign-up cost a quarter of the test); the English pages are photographed by `npm run screenshots`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertRecoveryCodesApart, saveRecoveryCodes, setUpFamily, uniqueEmail } from './flows.js';
import {
  assertAccessible,
  assertNoHorizontalOverflow,
  browserSuite,
  openBrowser,
  PASSWORD,
  PHONE_390,
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
 * Opens each page in the running app (history navigation, as a tab does: no reload per page) and
 * waits for its heading; in German also for its section headings, checks it with axe and screenshots
 * it at 390 px and desktop.
 */
/**
 * A server refusal shown on the page: the app's German sentence for its reason, and not the server's
 * English `message`. The refused request is a 4xx, which Chromium logs; nothing else may be.
 */
async function assertRefusedInGerman(session: BrowserSession, seen: number, german: string, english: RegExp): Promise<void> {
  const alert = session.page.getByRole('alert').filter({ hasText: german });
  await alert.waitFor({ timeout: 30_000 });
  assert.doesNotMatch((await session.page.locator('main').textContent()) ?? '', english);
  assert.deepEqual(session.errors.slice(seen).filter((e) => !/status of 40[01]/.test(e)), []);
  session.errors.splice(seen);
}

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
      await screenshots(g, `page-${p.path === '/' ? 'home' : p.path.slice(1)}-de`, PHONE_390);
    }
  }
}

void test(
  'the language: a German browser starts in German, English chosen and kept after a reload, every page in English and German, German chosen on More, dates in the German format',
  { timeout: 300_000 },
  async () => {
    const session = await openBrowser(suite.voiceWav, PHONE_390, [], 'de-DE');
    suite.sessions.push(session);
    const g = session.page;
    const url = suite.server.url;

    // A browser whose language is German starts in German, before anyone chooses.
    await g.goto(`${url}/signup`);
    await g.getByRole('heading', { name: 'Konto für deine Familie erstellen', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'de');
    assert.equal(await g.getByLabel('Sprache').inputValue(), 'de');
    // The password checker's advice is German too (zxcvbn-ts's German texts), its verdict the server's.
    const password = g.getByLabel('Passwort', { exact: true });
    await password.fill('iloveyouiloveyou');
    const advice = g.locator('.meter-block[data-acceptable="false"] .hint');
    await advice.filter({ hasText: 'Sich wiederholende Zeichenmuster' }).waitFor({ timeout: 20_000 });
    assert.match((await advice.textContent()) ?? '', /zu leicht zu erraten/);
    await assertAccessible(g, 'sign-up in German');
    await screenshots(g, 'lang-de-signup', PHONE_390);
    await g.getByRole('link', { name: 'Anmelden' }).click();
    await g.getByRole('heading', { name: 'Bei Burrow anmelden', level: 1 }).waitFor();
    // A wrong email or password: the server's refusal is said in German, not its English sentence.
    await g.getByLabel('E-Mail').fill(uniqueEmail('nobody'));
    await g.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await g.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await g.getByRole('alert').filter({ hasText: 'E-Mail-Adresse oder Passwort ist falsch.' }).waitFor({ timeout: 30_000 });
    await screenshots(g, 'lang-de-login', PHONE_390);
    await g.goto(`${url}/reset-password`);
    await g.getByRole('heading', { name: 'Passwort zurücksetzen', level: 1 }).waitFor();
    await g.getByRole('button', { name: 'Mit einem Wiederherstellungscode' }).click();
    await assertAccessible(g, 'password reset in German');
    // A recovery code that does not match: the server's refusal (reason reset_code_wrong) in German.
    let seen = session.errors.length;
    await g.getByLabel('E-Mail').fill(uniqueEmail('nobody'));
    await g.getByLabel('Wiederherstellungscode').fill('ABCD-EFGH-JKLM');
    await g.getByLabel('Neues Passwort', { exact: true }).fill(PASSWORD);
    await g.getByRole('button', { name: 'Mein Passwort zurücksetzen' }).click();
    await assertRefusedInGerman(
      session,
      seen,
      'E-Mail-Adresse und Wiederherstellungscode passen nicht zusammen.',
      /email and recovery code do not match/i,
    );
    // A mailed link that is not valid: the server's refusal is said in German, not its English sentence.
    seen = session.errors.length;
    await g.goto(`${url}/verify-email#token=bl_${'A'.repeat(43)}`);
    await g.getByRole('heading', { name: 'E-Mail-Adresse bestätigen', level: 1 }).waitFor();
    await g.getByRole('alert').filter({ hasText: /^Dieser Link ist nicht gültig/ }).waitFor();
    // The refused link is a 400, which Chromium logs; nothing else may be.
    assert.deepEqual(session.errors.slice(seen).filter((e) => !/status of 400/.test(e)), []);
    session.errors.splice(seen);
    await g.goto(`${url}/toy`);
    await g.getByRole('heading', { name: 'Burrow-Spielzeug', level: 1 }).waitFor();
    await g.getByRole('button', { name: 'Kopplungstaste' }).waitFor();
    await assertAccessible(g, 'toy simulator in German');
    await screenshots(g, 'lang-de-toy', PHONE_390);

    // Signing up in German: the recovery codes' German heading is one long compound word, which once
    // ran off a phone's screen; it must wrap, and the codes lie apart.
    await g.goto(`${url}/signup`);
    await g.getByLabel('E-Mail').fill(uniqueEmail('languages'));
    await g.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await g.locator('.meter-block[data-acceptable="true"]').waitFor({ timeout: 30_000 });
    await g.getByRole('button', { name: 'Konto erstellen' }).click();
    await g.getByRole('heading', { name: 'Speichere deine Wiederherstellungscodes', level: 1 }).waitFor({ timeout: 30_000 });
    await assertNoHorizontalOverflow(g);
    await assertRecoveryCodesApart(g);
    await screenshots(g, 'lang-de-recovery-codes', PHONE_390);

    // English chosen with the page's own picker; the rest of the sign-up and set-up in English.
    await g.getByLabel('Sprache').selectOption('en');
    await g.getByRole('heading', { name: 'Save your recovery codes', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'en');
    await saveRecoveryCodes(g);
    await g.waitForURL(`${url}/welcome`);
    await setUpFamily(g, url, 'Mia', 'Mum');
    await visitEveryPage(session, 'en');
    // A reload keeps English in this German browser: the choice is remembered, not re-guessed.
    await g.reload();
    await g.getByRole('heading', { name: 'More', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'en');

    // German chosen on More: the document's language and the tabs follow at once.
    await g.getByLabel('Language').selectOption('de');
    await g.getByRole('heading', { name: 'Mehr', level: 1 }).waitFor();
    assert.equal(await g.evaluate<string>('document.documentElement.lang'), 'de');
    assert.equal(
      await g.getByRole('navigation', { name: 'Hauptmenü' }).getByRole('link', { name: 'Hören' }).count(),
      1,
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

    await visitEveryPage(session, 'de');
    // Security and Family refusals in German (reasons code_wrong and password_wrong), not the
    // server's English: a wrong code when turning on two-step sign-in, a wrong password before
    // deleting the family (nothing is turned on or deleted).
    await g.evaluate(`history.pushState(null, '', '/security'); dispatchEvent(new PopStateEvent('popstate'))`);
    seen = session.errors.length;
    await g.getByRole('button', { name: 'Authenticator-App einrichten' }).click();
    await g.getByLabel('6-stelliger Code aus der App').fill('000000');
    await g.getByRole('button', { name: 'Zweistufige Anmeldung einschalten' }).click();
    await assertRefusedInGerman(session, seen, 'Dieser Code stimmt nicht.', /That code is not right/);
    await g.evaluate(`history.pushState(null, '', '/family'); dispatchEvent(new PopStateEvent('popstate'))`);
    const deleteFamily = g.getByRole('region', { name: 'Diese Familie löschen' });
    seen = session.errors.length;
    await deleteFamily.getByLabel('Dein Passwort').fill(`${PASSWORD} not`);
    await deleteFamily.getByRole('button', { name: 'Diese Familie endgültig löschen' }).click();
    await assertRefusedInGerman(session, seen, 'Dieses Passwort ist nicht richtig.', /That password is not right/);
    // An invitation made in German, opened below once signed out.
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

    // Signed out, the invitation reads in German: who invites whom, and a way in for an account.
    await g.getByRole('button', { name: 'Abmelden' }).click();
    await g.getByRole('heading', { name: 'Bei Burrow anmelden', level: 1 }).waitFor();
    await g.goto(invitation);
    await g.getByText('Mum hat dich eingeladen, bei Burrow mit Mia zu sprechen.').waitFor();
    // This browser has signed in before, so it offers signing in first, and a new account as well.
    await g.getByRole('button', { name: 'Ich brauche ein neues Konto' }).click();
    await g.getByRole('button', { name: 'Ich habe schon ein Konto' }).waitFor();
    await g.getByRole('button', { name: 'Konto erstellen' }).waitFor();
    await assertAccessible(g, 'invitation in German');
    await screenshots(g, 'lang-de-join', PHONE_390);
    assert.deepEqual(session.errors, [], 'no errors in the app');
  },
);
