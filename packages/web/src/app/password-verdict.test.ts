import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PASSWORD_MIN, PASSWORD_MIN_SCORE } from '@burrow/api';
import { passwordLength, passwordVerdict, type StrengthResult } from './password-verdict.js';

const strong: StrengthResult = { score: 4, warning: null, suggestions: [] };
const at = (score: StrengthResult['score']): StrengthResult => ({ score, warning: null, suggestions: [] });

test('a 13-character sentence the checker scores highly is too short, not "Good", and never green', () => {
  const v = passwordVerdict('correct horse', at(3));
  assert.equal(v.acceptable, false);
  assert.equal(v.label, `Too short (13 of ${PASSWORD_MIN} characters)`);
  assert.match(v.hint, new RegExp(`at least ${PASSWORD_MIN} characters`));
  assert.ok(v.level <= 2);
});

test('a long password scored below the server minimum is not acceptable and says why', () => {
  const v = passwordVerdict('aaaaaaaaaaaaaaaaaaaa', { score: 2, warning: 'Repeated characters are easy to guess', suggestions: ['Avoid repeated characters'] });
  assert.equal(PASSWORD_MIN_SCORE, 3);
  assert.equal(v.acceptable, false);
  assert.equal(v.label, 'Fair: too easy to guess');
  assert.match(v.hint, /^Repeated characters are easy to guess\. Avoid repeated characters\. /);
  assert.equal(v.level, 2);
});

test('a long password at the server minimum score or above is acceptable', () => {
  assert.deepEqual(passwordVerdict('correct horse battery staple plush', at(3)), { acceptable: true, level: 3, label: 'Good', hint: '' });
  assert.equal(passwordVerdict('correct horse battery staple plush', strong).label, 'Strong');
});

test('length is counted as the server counts it: code points after NFKC', () => {
  // 15 emoji are 30 UTF-16 units but 15 characters; a full-width "Ａ" normalises to one "A".
  assert.equal(passwordLength('🐻'.repeat(15)), 15);
  assert.equal(passwordLength('Ａ'), 1);
  assert.equal(passwordVerdict('🐻'.repeat(14), strong).acceptable, false);
  assert.equal(passwordVerdict('🐻'.repeat(15), strong).acceptable, true);
});

test('empty and still-checking passwords are not acceptable', () => {
  assert.equal(passwordVerdict('', null).acceptable, false);
  assert.match(passwordVerdict('', null).hint, new RegExp(`at least ${PASSWORD_MIN} characters`));
  assert.deepEqual(passwordVerdict('correct horse battery staple', null), { acceptable: false, level: 0, label: 'Checking…', hint: '' });
});

test('a second factor lowers the minimum length to the one given', () => {
  assert.equal(passwordVerdict('tulip-otter-9', strong, 8).acceptable, true);
});

test('the meter measures against the same words as the server: site words, the email and its parts', async () => {
  const { passwordContextWords } = await import('@burrow/api');
  const words = passwordContextWords('mia.smith@example.com');
  for (const w of ['burrow', 'plush', 'grandma', 'mia.smith@example.com', 'mia', 'smith', 'example', 'com']) assert.ok(words.includes(w), w);
  assert.deepEqual(passwordContextWords(), passwordContextWords(''));
});

test('too long or with a control character is refused as the server refuses it, whatever the score', async () => {
  const { PASSWORD_MAX } = await import('@burrow/api');
  const long = passwordVerdict('a'.repeat(PASSWORD_MAX + 1), strong);
  assert.equal(long.acceptable, false);
  assert.equal(long.label, `Too long (${PASSWORD_MAX + 1} of at most ${PASSWORD_MAX} characters)`);
  assert.equal(passwordVerdict('a'.repeat(PASSWORD_MAX), strong).acceptable, true);
  const tab = passwordVerdict('correct horse\tbattery staple', strong);
  assert.equal(tab.acceptable, false);
  assert.equal(tab.label, 'Contains a control character');
});
