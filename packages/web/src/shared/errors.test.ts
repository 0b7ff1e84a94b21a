import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, refusalOf } from '@burrow/client';
import { i18n } from '../i18n/index.js';
import { describeError } from './errors.js';

function withNavigator<T>(onLine: boolean, fn: () => T): T {
  const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { onLine }, configurable: true });
  try {
    return fn();
  } finally {
    if (before) Object.defineProperty(globalThis, 'navigator', before);
    else Reflect.deleteProperty(globalThis, 'navigator');
  }
}

const noAnswer = [new ApiError(0, 'unreachable', 'fetch failed'), new TypeError('Failed to fetch')];

test('an unreachable server with the network up is not blamed on the person’s connection', () => {
  for (const err of noAnswer) {
    const text = withNavigator(true, () => describeError(err));
    assert.match(text, /Cannot reach the Burrow server/);
    assert.doesNotMatch(text, /Check your internet connection/);
  }
});

test('with the browser offline, the connection is what to check', () => {
  for (const err of noAnswer) assert.match(withNavigator(false, () => describeError(err)), /offline\. Check your internet connection/);
});

test('a refusal is said in the app’s language with the server’s values, never in the server’s English', async () => {
  const english = 'The password must have at least 15 characters (it has 13). A short sentence works well.';
  const tooShort = new ApiError(400, 'bad_request', english, undefined, { reason: 'password_too_short', params: { min: 15, length: 13 } });
  assert.match(describeError(tooShort), /at least 15 characters \(it has 13\)/);
  await i18n.changeLanguage('de');
  try {
    assert.equal(
      describeError(tooShort),
      'Das Passwort muss mindestens 15 Zeichen haben (es hat 13). Ein kurzer Satz oder vier, fünf Wörter ohne Zusammenhang eignen sich gut.',
    );
    // No reason (an older server, a proxy) or one this app does not know: a German sentence by status.
    const bare = new ApiError(403, 'forbidden', 'Only a guardian of this family can do that.');
    assert.equal(describeError(bare), 'Das darfst du hier nicht.');
    assert.equal(describeError(new ApiError(409, 'conflict', 'The roster changed meanwhile.')), i18n.t('errors.refused'));
    assert.doesNotMatch(describeError(new ApiError(429, 'rate_limited', 'Too many attempts. Try again in 5 seconds.')), /Try again/);
    // A throttle's long wait in minutes, short ones in seconds, in the app's language.
    const throttled = (seconds: number) =>
      new ApiError(429, 'rate_limited', `Too many attempts. Try again in ${String(seconds)} seconds.`, seconds, { reason: 'too_many_attempts', params: { seconds } });
    assert.equal(describeError(throttled(900)), 'Zu viele Versuche in kurzer Zeit. Warte 15 Minuten und versuche es dann noch einmal.');
    assert.equal(describeError(throttled(45)), 'Zu viele Versuche in kurzer Zeit. Warte 45 Sekunden und versuche es dann noch einmal.');
  } finally {
    await i18n.changeLanguage('en');
  }
});

test('the client reads a refusal’s reason and params from the error body, and ignores a reason it does not know', () => {
  assert.deepEqual(refusalOf({ reason: 'favourites_full', params: { slots: 5, junk: { x: 1 } } }), { reason: 'favourites_full', params: { slots: 5 } });
  assert.equal(refusalOf({ reason: 'a_reason_from_a_newer_server' }), undefined);
  assert.equal(refusalOf(undefined), undefined);
});
