/**
 * The English texts: the source language and the fallback for any key another language lacks.
 * Keys are grouped by page or component. Plurals use i18next's suffixes (`_one`, `_other`, chosen by
 * Intl.PluralRules for the count); `{{name}}` is a value filled in; `<link>…</link>` wraps a link
 * (react-i18next's Trans). A new key here must also be added to every other language (de.ts; the
 * compiler and src/i18n/keys.test.ts check it).
 */
export const en = {
  common: {
    tryAgain: 'Try again',
    cancel: 'Cancel',
    save: 'Save',
    close: 'Close',
    signOut: 'Sign out',
    skipToContent: 'Skip to content',
    yourChild: 'your child',
    new: 'new',
    waiting: 'waiting',
  },
  language: {
    label: 'Language',
  },
  app: {
    opening: 'Opening Burrow…',
    couldNotStart: 'Burrow could not start',
    cannotStartHere: 'Burrow cannot start here',
    storageBlocked:
      'This browser would not let Burrow keep its keys (storage is blocked or full). Try a normal window, or another browser.',
  },
  nav: {
    main: 'Main',
    home: 'Home',
    talk: 'Talk',
    listen: 'Listen',
    family: 'Family',
    toys: 'Toys',
    more: 'More',
    review: 'Review',
    devices: 'Devices',
    security: 'Security',
    notices: 'Notices',
  },
  layout: {
    offline: 'Offline',
    connected: 'Connected',
    connecting: 'Connecting…',
    secondFactorNeeded:
      'Your family asks everyone to use two-step sign-in. Sending and hearing messages wait until you <link>add a passkey or an authenticator app</link>.',
    deviceWaiting: 'A new device waits for your approval: open Family',
    deviceWaitingAndJoin: 'A new device waits for your approval, and someone asks to join: open Family',
    joinWaiting: 'Someone asks to join your family: open Family',
  },
  more: {
    title: 'More',
    signedInAs: 'Signed in as',
    signOutHere: 'Sign out of this browser',
  },
  home: {
    title: 'Home',
    yourChildren: 'Your children',
    noToy: 'No toy yet.',
    pairToy: 'Pair {{child}}’s toy',
    allPlayed: 'all messages played',
    notPlayed_one: '{{count}} message not played yet',
    notPlayed_other: '{{count}} messages not played yet',
    talk: 'Talk',
    conversation: 'Conversation',
    noMessages: 'No messages yet',
    noMessagesHint: 'Record a hello on the Talk page; your child’s answers will appear here too.',
    record: 'Record a message',
    timeline: 'Messages, oldest first',
  },
  notInRoster: {
    title: 'Approve this browser from your other device',
    body: 'This browser made its own keys, and the family has not approved them yet, so it cannot send or open messages.',
    guardianWhere:
      'On a phone or computer already in the family (the one you set Burrow up on), open Family: this browser is listed under “New devices waiting”. Approve it there.',
    memberWhere:
      'Ask a guardian of the family to open Family on their phone or computer: this browser is listed under “New devices waiting” for them to approve.',
    opensItself: 'This page opens the family by itself once it is approved.',
    compare: 'Check that both screens show the same fingerprint before approving:',
    lostPhone: 'Lost your phone?',
    recoverHint:
      'If no other device or guardian of the family is left to approve this one, recover with a recovery code and the toy.',
    memberLost: 'Lost your phone? A guardian of the family approves this browser, as above.',
  },
  addChild: {
    summary: 'Add another child',
    nameNeeded: 'Enter a first name or a nickname.',
    added: 'Added {{name}}. Pair their toy on the Toys page.',
    name: 'First name or nickname',
    add: 'Add child',
  },
  notifications: {
    title: 'Notifications',
    body: 'Burrow can tell you when {{child}} answers, or someone asks to join, while the app is in the background.',
    turnOn: 'Turn on notifications',
  },
  presence: {
    online: 'Online',
    neverConnected: 'Offline · not connected yet',
    lastSeen: 'Offline · last seen {{ago}}',
    justNow: 'just now',
  },
  notices: {
    title: 'Notices',
    intro: 'Notices about security incidents that concern your account. We also sent each one by email.',
    loadFailed: 'Notices could not be loaded: {{error}}',
    loading: 'Loading notices…',
    none: 'No notices',
    noneHint: 'If a security incident ever concerns your account, we will tell you here and by email.',
    date: 'Date of this notice',
    occurred: 'When it happened',
    discovered: 'When we discovered it',
    notDetermined: 'not yet determined',
    range: '{{from}} to {{to}}',
    important: 'Important:',
    banner_one: 'we have sent you a notice about a security incident.',
    banner_other: 'we have sent you {{count}} notices about a security incident.',
    read_one: 'Read the notice',
    read_other: 'Read the notices',
  },
  duration: {
    unknown: 'unknown length',
    seconds_one: '{{count}} second',
    seconds_other: '{{count}} seconds',
    minutes_one: '{{count}} minute',
    minutes_other: '{{count}} minutes',
    minutesAndSeconds: '{{minutes}} {{seconds}}',
  },
  errors: {
    offline: 'This device is offline. Check your internet connection and try again.',
    unreachable:
      'Cannot reach the Burrow server right now. Your internet connection looks fine; please try again in a moment.',
    server: 'Something went wrong on the Burrow server. Please try again in a moment.',
    tooMany: 'Too many tries in a short time. Wait a minute, then try again.',
    tooLarge: 'That recording is too large to send. Record a shorter one.',
    badPairingCode:
      'That code does not look right. It has 18 letters and numbers, like ABC123-DEFG-HJKM-NPQR.',
    badPairingTag:
      'The code does not match the toy that answered. Check the code on the toy and type it again.',
    notAuthorized: 'This browser is not allowed to do that in this family.',
    securityCheck: 'A message or roster failed its security check and was not used.',
    generic: 'Something went wrong. Please try again.',
  },
};
