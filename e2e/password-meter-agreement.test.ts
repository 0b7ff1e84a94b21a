/**
 * The web app's password meter (packages/web/src/app/strength.ts) scores a password exactly as the
 * server's policy does (accounts/password-strength.worker.mjs): same dictionaries, same context words.
 * Before, the meter left out the English dictionary, so "governmentdepartment" showed a green
 * "Strong" and the server then refused it as too easy to guess. Only the advice's language differs.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PASSWORD_MIN, PASSWORD_MIN_SCORE, passwordContextWords } from '@burrow/api';
import { createPasswordPolicy } from '../packages/server/src/accounts/password-policy.js';
import { createStrengthScorer } from '../packages/server/src/accounts/password-strength.js';
import { checkStrength } from '../packages/web/src/app/strength.js';

const scorer = createStrengthScorer();
const policy = createPasswordPolicy({ strength: scorer });
after(async () => {
  await scorer.close();
});

const EMAIL = 'mia.smith@example.com';
const PASSWORDS = [
  'governmentdepartment',
  'understandingeverything',
  'headquartersbuilding',
  'internationalairport',
  'universityofmichigan',
  'correct horse battery staple plush',
  'my cat eats blue pancakes on tuesdays',
  'mia.smith burrow plush',
  'iloveyouiloveyou',
  'qwertyuiopasdfghjkl',
  'Grandma’s garden has 7 crooked gnomes!',
  '🦔 hedgehog waltzes with 🐙 octopus',
];

void test('the meter gives every password the score the server gives it, with the same context words', async () => {
  const inputs = passwordContextWords(EMAIL);
  for (const password of PASSWORDS) {
    const server = await scorer.score(password, inputs);
    assert.equal(checkStrength(password, inputs).score, server.score, password);
  }
});

void test('a password the meter calls good enough is one the server accepts, and the other way round', async () => {
  const inputs = passwordContextWords(EMAIL);
  for (const password of PASSWORDS) {
    const meterAccepts = [...password.normalize('NFKC')].length >= PASSWORD_MIN && checkStrength(password, inputs).score >= PASSWORD_MIN_SCORE;
    const serverAccepts = await policy.check(password, { email: EMAIL }).then(
      () => true,
      () => false,
    );
    // The server also refuses blocklisted passwords the meter cannot know; none of these is listed.
    assert.equal(meterAccepts, serverAccepts, password);
  }
  assert.ok(checkStrength('governmentdepartment', inputs).score < PASSWORD_MIN_SCORE, 'once shown as "Strong"');
});

void test('the advice is in the page’s language; the score does not depend on it', () => {
  const inputs = passwordContextWords(EMAIL);
  const english = checkStrength('iloveyouiloveyou', inputs, 'en');
  const german = checkStrength('iloveyouiloveyou', inputs, 'de');
  assert.equal(german.score, english.score);
  assert.match(english.suggestions.join(' '), /Avoid repeated words and characters/);
  assert.match(german.suggestions.join(' '), /Wort- und Zeichenwiederholungen vermeiden/);
  assert.deepEqual(checkStrength('iloveyouiloveyou', inputs, 'fr'), english, 'an unknown language reads English');
});
