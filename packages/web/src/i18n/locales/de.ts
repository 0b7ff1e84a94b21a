/**
 * The German texts (Deutsch). Same keys as en.ts — the type below makes a missing or extra key a
 * compile error. We address people with "du", as family apps in German usually do.
 */
import type { en } from './en.js';

/** The shape of en.ts with every text a string: each language fills in all of it. */
export type Messages<T = typeof en> = { [K in keyof T]: T[K] extends string ? string : Messages<T[K]> };

export const de: Messages = {
  common: {
    tryAgain: 'Erneut versuchen',
    cancel: 'Abbrechen',
    save: 'Speichern',
    close: 'Schließen',
    signOut: 'Abmelden',
    skipToContent: 'Zum Inhalt springen',
    yourChild: 'dein Kind',
    new: 'neu',
    waiting: 'wartend',
  },
  language: {
    label: 'Sprache',
  },
  archive: {
    title: 'Das Archiv der Familie',
    intro:
      'Lade jede Nachricht herunter, die dieser Browser öffnen kann, als Audiodateien mit einem Verzeichnis (wer, wann, wie lang, ob sie abgespielt wurde), dazu die Daten, die Burrows Server über dein Konto hat. Die Nachrichten werden hier in deinem Browser entschlüsselt: Der Server kann sie nicht öffnen und behält sie nur für den oben eingestellten Zeitraum.',
    download: 'Archiv der Familie herunterladen',
    fetching: 'Neue Nachrichten werden abgerufen…',
    adding: 'Nachrichten werden hinzugefügt…',
    zipping: 'Das Archiv wird gepackt…',
    ready_one: 'Archiv fertig: {{count}} Nachricht.',
    ready_other: 'Archiv fertig: {{count}} Nachrichten.',
  },
  activitySummary: {
    title: 'Zusammenfassung per E-Mail',
    intro:
      'Alle {{days}} Tage eine E-Mail an dich: wie viele Anmeldungen, gesendete und abgespielte Nachrichten und Änderungen es in der Familie gab — nur Zahlen, nie wer was gesagt hat.',
    lastSent: 'Die letzte wurde am {{when}} verschickt.',
    box: 'Schick mir alle {{days}} Tage eine Zusammenfassung',
    savedOn: 'Gespeichert: Du bekommst alle {{days}} Tage eine Zusammenfassung per E-Mail.',
    savedOff: 'Gespeichert: keine Zusammenfassung per E-Mail.',
  },
  app: {
    opening: 'Burrow wird geöffnet…',
    couldNotStart: 'Burrow konnte nicht starten',
    cannotStartHere: 'Burrow kann hier nicht starten',
    storageBlocked:
      'Dieser Browser lässt Burrow seine Schlüssel nicht speichern (der Speicher ist gesperrt oder voll). Versuche es in einem normalen Fenster oder in einem anderen Browser.',
  },
  nav: {
    main: 'Hauptmenü',
    home: 'Start',
    talk: 'Sprechen',
    listen: 'Hören',
    family: 'Familie',
    toys: 'Spielzeuge',
    more: 'Mehr',
    review: 'Prüfen',
    devices: 'Geräte',
    security: 'Sicherheit',
    notices: 'Mitteilungen',
  },
  layout: {
    offline: 'Offline',
    connected: 'Verbunden',
    connecting: 'Verbinde…',
    secondFactorNeeded:
      'Deine Familie verlangt von allen eine Anmeldung in zwei Schritten. Nachrichten senden und hören geht erst, wenn du <link>einen Passkey oder eine Authenticator-App hinzufügst</link>.',
    deviceWaiting: 'Ein neues Gerät wartet auf deine Freigabe: Familie öffnen',
    deviceWaitingAndJoin:
      'Ein neues Gerät wartet auf deine Freigabe, und jemand möchte beitreten: Familie öffnen',
    joinWaiting: 'Jemand möchte deiner Familie beitreten: Familie öffnen',
  },
  more: {
    title: 'Mehr',
    signedInAs: 'Angemeldet als',
    signOutHere: 'In diesem Browser abmelden',
  },
  home: {
    title: 'Start',
    yourChildren: 'Deine Kinder',
    noToy: 'Noch kein Spielzeug.',
    pairToy: 'Spielzeug für {{child}} koppeln',
    allPlayed: 'alle Nachrichten abgespielt',
    notPlayed_one: '{{count}} Nachricht noch nicht abgespielt',
    notPlayed_other: '{{count}} Nachrichten noch nicht abgespielt',
    talk: 'Sprechen',
    conversation: 'Unterhaltung',
    noMessages: 'Noch keine Nachrichten',
    noMessagesHint:
      'Nimm auf der Seite „Sprechen“ ein Hallo auf; die Antworten deines Kindes erscheinen dann auch hier.',
    record: 'Nachricht aufnehmen',
    timeline: 'Nachrichten, älteste zuerst',
  },
  notInRoster: {
    title: 'Gib diesen Browser auf deinem anderen Gerät frei',
    body: 'Dieser Browser hat eigene Schlüssel erzeugt, und die Familie hat sie noch nicht freigegeben. Deshalb kann er noch keine Nachrichten senden oder öffnen.',
    guardianWhere:
      'Öffne auf einem Handy oder Computer, das schon zur Familie gehört (dem, auf dem du Burrow eingerichtet hast), die Seite „Familie“: Dort steht dieser Browser unter „Neue Geräte warten“. Gib ihn dort frei.',
    memberWhere:
      'Bitte eine erziehungsberechtigte Person der Familie, auf ihrem Handy oder Computer „Familie“ zu öffnen: Dort steht dieser Browser unter „Neue Geräte warten“ zur Freigabe.',
    opensItself: 'Sobald er freigegeben ist, öffnet diese Seite die Familie von selbst.',
    compare: 'Prüft vor der Freigabe, dass beide Bildschirme denselben Fingerabdruck zeigen:',
    lostPhone: 'Handy verloren?',
    recoverHint:
      'Ist kein anderes Gerät und keine andere erziehungsberechtigte Person der Familie mehr da, um dieses Gerät freizugeben, stelle den Zugang mit einem Wiederherstellungscode und dem Spielzeug wieder her.',
    memberLost:
      'Handy verloren? Eine erziehungsberechtigte Person der Familie gibt diesen Browser wie oben frei.',
  },
  addChild: {
    summary: 'Weiteres Kind hinzufügen',
    nameNeeded: 'Gib einen Vornamen oder Spitznamen ein.',
    added: '{{name}} hinzugefügt. Kopple das Spielzeug auf der Seite „Spielzeuge“.',
    name: 'Vorname oder Spitzname',
    add: 'Kind hinzufügen',
  },
  notifications: {
    title: 'Benachrichtigungen',
    body: 'Burrow kann dir Bescheid geben, wenn {{child}} antwortet oder jemand beitreten möchte, während die App im Hintergrund ist.',
    turnOn: 'Benachrichtigungen einschalten',
  },
  presence: {
    online: 'Online',
    neverConnected: 'Offline · noch nie verbunden',
    lastSeen: 'Offline · zuletzt gesehen {{ago}}',
    justNow: 'gerade eben',
  },
  notices: {
    title: 'Mitteilungen',
    intro:
      'Mitteilungen über Sicherheitsvorfälle, die dein Konto betreffen. Jede haben wir dir auch per E-Mail geschickt.',
    loadFailed: 'Die Mitteilungen konnten nicht geladen werden: {{error}}',
    loading: 'Mitteilungen werden geladen…',
    none: 'Keine Mitteilungen',
    noneHint:
      'Sollte ein Sicherheitsvorfall einmal dein Konto betreffen, sagen wir es dir hier und per E-Mail.',
    date: 'Datum dieser Mitteilung',
    occurred: 'Wann es geschah',
    discovered: 'Wann wir es bemerkt haben',
    notDetermined: 'noch nicht ermittelt',
    range: '{{from}} bis {{to}}',
    important: 'Wichtig:',
    banner_one: 'Wir haben dir eine Mitteilung über einen Sicherheitsvorfall geschickt.',
    banner_other: 'Wir haben dir {{count}} Mitteilungen über einen Sicherheitsvorfall geschickt.',
    read_one: 'Mitteilung lesen',
    read_other: 'Mitteilungen lesen',
  },
  listen: {
    title: 'Hören',
    newFrom_one: '{{count}} neue Nachricht von {{child}}.',
    newFrom_other: '{{count}} neue Nachrichten von {{child}}.',
    allHeard: 'Du hast alles gehört.',
    newCount_one: '{{count}} neue Nachricht',
    newCount_other: '{{count}} neue Nachrichten',
    nothingYet: 'Noch nichts von {{child}}',
    nothingHint:
      'Wenn {{child}} die Aufnahmepfote des Spielzeugs hält und spricht, erscheint die Nachricht von selbst hier – ohne Neuladen.',
    timeline: 'Nachrichten vom Spielzeug, neueste zuerst',
  },
  roles: {
    guardian: 'Erziehungsberechtigt',
    member: 'Familienmitglied',
    toy: 'Spielzeug',
  },
  devices: {
    renewHint: 'Erneuern erzeugt neue Schlüssel für diesen Browser und legt die alten still; sein Platz in der Familie bleibt — tun Sie es, wenn Sie glauben, dass jemand die Daten dieses Browsers kopiert hat. Nachrichten dieses Browsers, die noch nicht zugestellt wurden, werden nicht abgespielt.',
    renewButton: 'Schlüssel dieses Geräts erneuern',
    renewDone: 'Erledigt: Dieser Browser hat neue Schlüssel und einen neuen Fingerabdruck. Mit den alten Schlüsseln lässt sich nichts Neues mehr senden oder lesen.',
    renewAsked: 'Angefragt: Das Gerät eines Erziehungsberechtigten gibt diesem Browser seine neuen Schlüssel, sobald es das nächste Mal geöffnet ist.',
    renewWaiting: 'Wartet darauf, dass das Gerät eines Erziehungsberechtigten diesem Browser seine neuen Schlüssel gibt.',
    title: 'Geräte',
    nameSaved: 'Gespeichert. Neue Nachrichten tragen diesen Namen.',
    thisBrowser: 'Dieser Browser',
    keysHere: 'Seine Schlüssel wurden hier erzeugt und verlassen ihn nie.',
    fingerprint:
      'Sein Fingerabdruck – wer diesen Browser freigibt, sieht dieselben Zeichen; vergleicht sie gemeinsam, persönlich oder am Telefon:',
    nameLabel: 'Dein Name auf Nachrichten',
    namePlaceholder: 'Mama, Opa…',
    saveName: 'Namen speichern',
    sessionsTitle: 'Wo du angemeldet bist',
    sessionsHint:
      'Auf der Seite „Sicherheit“ siehst du jeden Browser, der bei deinem Konto angemeldet ist, und meldest die ab, die du nicht kennst.',
    sessionsLink: 'Sitzungen und anderswo abmelden',
    accountDevices: 'Geräte deines Kontos',
    anotherBrowser: 'Ein anderer Browser oder ein Handy',
    deviceNumber: '(Gerät {{n}})',
    familyDevices: 'Geräte deiner Familie',
    rosterHint:
      'Die Familienliste, signiert vom Gerät einer erziehungsberechtigten Person. Spielzeuge gehorchen nur den Geräten darauf.',
    rosterCaption: 'Geräte in der Familienliste',
    colDevice: 'Gerät',
    colRole: 'Rolle',
    colMay: 'Darf',
    you: 'Du',
    maySend: 'an Spielzeuge senden',
    mayHear: 'das Kind hören',
    noFamily: 'Noch keine Familie.',
  },
  auth: {
    emailNeeded: 'Gib deine E-Mail-Adresse ein, etwa name@example.com.',
    passwordTooShort: 'Dein Passwort braucht mindestens {{min}} Zeichen.',
    passwordTooEasy:
      'Dieses Passwort ist zu leicht zu erraten. Nimm ein paar Wörter, die nichts miteinander zu tun haben.',
    signUpTitle: 'Konto für deine Familie erstellen',
    signUpIntro:
      'Schicke Sprachnachrichten an das Burrow-Spielzeug deines Kindes. Nur deine Familie kann sie hören.',
    email: 'E-Mail',
    password: 'Passwort',
    hide: 'Verbergen',
    show: 'Zeigen',
    creating: 'Dein Konto wird erstellt…',
    createAccount: 'Konto erstellen',
    haveAccount: 'Du hast schon ein Konto?',
    signIn: 'Anmelden',
    passkeyNotUsed: 'Der Passkey wurde nicht verwendet (abgebrochen oder Zeit abgelaufen).',
    codeNeeded: 'Gib den 6-stelligen Code aus deiner App oder einen Wiederherstellungscode ein.',
    twoStepTitle: 'Anmeldung in zwei Schritten',
    twoStepIntro: 'Dein Passwort war richtig. Ein weiterer Schritt schützt die Nachrichten deiner Familie.',
    codeLabel: 'Code aus deiner Authenticator-App (oder ein Wiederherstellungscode)',
    checking: 'Wird geprüft…',
    continue: 'Weiter',
    passkeyInstead: 'Stattdessen einen Passkey verwenden',
    startAgain: 'Von vorn beginnen',
    emailAndPassword: 'Gib deine E-Mail-Adresse und dein Passwort ein.',
    noPasskey: 'Es wurde kein Passkey verwendet (abgebrochen oder Zeit abgelaufen).',
    signInTitle: 'Bei Burrow anmelden',
    deleted:
      'Dein Konto wurde gelöscht, und dieser Browser hat seine Schlüssel und Nachrichten vergessen. Wir haben dir eine Bestätigung gemailt.',
    signingIn: 'Anmeldung läuft…',
    withPasskey: 'Mit einem Passkey anmelden',
    forgot: 'Passwort vergessen?',
    newHere: 'Neu bei Burrow?',
    createAnAccount: 'Konto erstellen',
  },
  setup: {
    consentNeeded: 'Bitte lies die Datenschutzhinweise und setze das Häkchen, bevor du dein Kind hinzufügst.',
    childNeeded: 'Gib den Vornamen oder einen Spitznamen deines Kindes ein.',
    senderNeeded: 'Gib den Namen ein, unter dem dein Kind dich kennt, etwa Mama oder Opa.',
    title: 'Willkommen bei Burrow',
    intro: 'Zwei kurze Schritte, dann kannst du mit dem Spielzeug deines Kindes sprechen.',
    step1: '1. Unsere Datenschutzhinweise',
    noticeText: 'Text der Datenschutzhinweise (auf Englisch)',
    consent:
      'Ich bin Elternteil oder gesetzlicher Vormund dieses Kindes. Ich habe die Datenschutzhinweise gelesen und stimme ihnen zu.',
    step2: '2. Deine Familie',
    childLabel: 'Vorname oder Spitzname deines Kindes',
    childHint: 'In diesem Browser versiegelt: Die Server von Burrow sehen ihn nie.',
    senderLabel: 'Dein Name, wie dein Kind dich kennt',
    senderPlaceholder: 'Mama, Opa, Tante Jo…',
    creating: 'Deine Familie wird angelegt…',
    create: 'Unsere Familie anlegen',
  },
  recoveryCodes: {
    list: 'Wiederherstellungscodes',
    copy: 'Codes kopieren',
    copied: 'Kopiert.',
    notOne: 'Das ist keiner der Codes oben. Gib einen davon genau so ein, wie er angezeigt wird.',
    title: 'Speichere deine Wiederherstellungscodes',
    intro:
      'Wenn du dein Passwort vergisst oder dein Handy verlierst, bringt dich einer dieser Codes zurück. Jeder funktioniert einmal. Sie werden nur dieses eine Mal angezeigt.',
    keep: 'Schreib sie auf oder bewahre sie in einem Passwort-Manager auf – nicht in deinen E-Mails.',
    confirmLabel: 'Gib einen der Codes ein, um zu bestätigen, dass du sie gespeichert hast',
    saved: 'Ich habe meine Codes gespeichert',
  },
  talk: {
    title: 'Sprechen',
    tooShort:
      'Das war sehr kurz. Halte die Taste gedrückt, während du sprichst, oder tippe einmal zum Starten und noch einmal zum Beenden.',
    maxReached: 'Die Aufnahme wurde nach zwei Minuten beendet, so lang darf eine Nachricht höchstens sein.',
    pairFirst: 'Kopple zuerst ein Spielzeug',
    pairFirstHint:
      'Sobald das Spielzeug deines Kindes gekoppelt ist, nimmst du hier eine Nachricht auf, und das Herz des Spielzeugs leuchtet.',
    pairToy: 'Spielzeug koppeln',
    theToy: 'das Spielzeug',
    intro:
      'Nimm eine Nachricht für {{to}} auf. Sie wird in diesem Browser versiegelt, bevor sie ihn verlässt.',
    sendToLabel: 'Senden an',
    recorder: 'Aufnahme',
    stop: 'Stopp',
    record: 'Aufnehmen',
    howTo:
      'Halte die Taste gedrückt, während du sprichst, oder tippe einmal zum Starten und noch einmal zum Beenden.',
    starting: 'Mikrofon wird gestartet…',
    recording: 'Aufnahme läuft…',
    reviewLabel: 'Deine Nachricht prüfen',
    listenFirst: 'Anhören vor dem Senden',
    yourRecording: 'Deine Aufnahme, {{length}}',
    long: '{{length}} lang',
    sealing: 'Wird in diesem Browser versiegelt…',
    uploading: 'Wird hochgeladen: {{percent}} %',
    delivering: 'Wird zugestellt…',
    sendTo: 'An {{to}} senden',
    recordAgain: 'Neu aufnehmen',
  },
  sent: {
    checking: 'Gesendet. Wir sehen nach, wo deine Nachricht ist…',
    review:
      'Gesendet. Sie wartet auf die Freigabe einer erziehungsberechtigten Person, bevor {{toy}} sie abspielen kann.',
    quietHours:
      'Gesendet. Sie wartet, bis die Ruhezeit um {{until}} endet. Dann leuchtet das Herz von {{toy}}.',
    setTime: 'der eingestellten Uhrzeit',
    waiting: 'Gesendet. Sie wartet, bis {{toy}} online ist und sie abholt.',
    delivered: 'Zugestellt: Das Herz von {{toy}} leuchtet.',
    played: 'Abgespielt: {{toy}} hat deine Nachricht abgespielt.',
    declined:
      'Eine erziehungsberechtigte Person hat diese Nachricht abgelehnt; sie wurde gelöscht und wird nicht abgespielt.',
  },
  duration: {
    unknown: 'unbekannte Länge',
    seconds_one: '{{count}} Sekunde',
    seconds_other: '{{count}} Sekunden',
    minutes_one: '{{count}} Minute',
    minutes_other: '{{count}} Minuten',
    minutesAndSeconds: '{{minutes}} {{seconds}}',
  },
  errors: {
    offline: 'Dieses Gerät ist offline. Prüfe deine Internetverbindung und versuche es erneut.',
    unreachable:
      'Der Burrow-Server ist gerade nicht erreichbar. Deine Internetverbindung scheint in Ordnung zu sein; versuche es gleich noch einmal.',
    server: 'Auf dem Burrow-Server ist etwas schiefgegangen. Versuche es gleich noch einmal.',
    tooMany: 'Zu viele Versuche in kurzer Zeit. Warte eine Minute und versuche es dann erneut.',
    tooLarge: 'Diese Aufnahme ist zu groß zum Senden. Nimm eine kürzere auf.',
    badPairingCode:
      'Dieser Code sieht nicht richtig aus. Er hat 18 Buchstaben und Ziffern, etwa ABC123-DEFG-HJKM-NPQR.',
    badPairingTag:
      'Der Code passt nicht zu dem Spielzeug, das geantwortet hat. Prüfe den Code am Spielzeug und gib ihn erneut ein.',
    notAuthorized: 'Dieser Browser darf das in dieser Familie nicht.',
    securityCheck:
      'Eine Nachricht oder Mitgliederliste hat die Sicherheitsprüfung nicht bestanden und wurde nicht verwendet.',
    generic: 'Etwas ist schiefgegangen. Bitte versuche es erneut.',
  },
};
