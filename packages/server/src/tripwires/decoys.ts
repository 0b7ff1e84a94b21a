/**
 * Decoy passwords ("honeywords") for a real one: chaffing with a model of the real password's
 * structure (Juels & Rivest 2013, §5.2 "chaffing-by-tweaking" and §5.3 "chaffing with a password
 * model"). A decoy is useless if a cracker who recovers all k sweetwords can tell which one a person
 * chose, so each decoy keeps the real password's shape and only its contents change:
 *
 * - The password is cut into runs: letters, digits, other printable symbols, whitespace.
 * - A letter run that is a dictionary word (zxcvbn-ts English common words, Wikipedia words, first
 *   names, diceware) becomes another word of the same length **and of a similar frequency rank**
 *   (within a factor of four), with the same capitalisation. "Correct Horse Battery" becomes
 *   "Central Inside Freedom", not "Xqzvb Wlmpt Rrkdqje".
 * - A letter run that is not a word is tweaked letter by letter (vowel for vowel, consonant for
 *   consonant, same case); letters of other scripts become nearby letters of the same script.
 * - A four-digit year (1900-2039) becomes another plausible year; other digit runs become random
 *   digits of the same length.
 * - Symbols are swapped, one in two, among the symbols people use; whitespace is kept.
 *
 * Limits (docs/security.md "Tripwires"): a decoy is not run through the password policy, so a
 * cracker who re-applies the policy may discard the rare decoy it would refuse; a person's invented
 * word is tweaked while real words are replaced, which is how the paper's tweaking model behaves too.
 */
import { randomInt } from 'node:crypto';
import { loadLexicon } from './lexicon.js';

type Run = { kind: 'letters' | 'digits' | 'symbols' | 'space' | 'other'; text: string };

const VOWELS = 'aeiouy';
const CONSONANTS = 'bcdfghjklmnpqrstvwxz';
const SYMBOLS = '!@#$%&*?.-_+=~^';
const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Arabic',
  'Hebrew',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Devanagari',
  'Thai',
].map((name) => new RegExp(`^\\p{Script=${name}}$`, 'u'));

function runsOf(password: string): Run[] {
  const runs: Run[] = [];
  for (const m of password.matchAll(
    /(\p{L}+)|(\p{Nd}+)|(\s+)|([\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+)|([^\p{L}\p{Nd}\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+)/gu,
  )) {
    const kind = m[1] ? 'letters' : m[2] ? 'digits' : m[3] ? 'space' : m[4] ? 'symbols' : 'other';
    runs.push({ kind, text: m[0] });
  }
  return runs;
}

const pick = (s: string): string => s[randomInt(s.length)] ?? '';

/** Copies the case of `model` onto `word` (same length): lower, UPPER, Capitalised, or letter by letter. */
function withCase(word: string, model: string): string {
  if (model === model.toLowerCase()) return word;
  if (model === model.toUpperCase()) return word.toUpperCase();
  return [...word]
    .map((c, i) => (model[i] !== undefined && model[i] === model[i]?.toUpperCase() ? c.toUpperCase() : c))
    .join('');
}

function tweakLetter(c: string): string {
  const lower = c.toLowerCase();
  const upper = c !== lower;
  let out: string;
  if (VOWELS.includes(lower)) out = pick(VOWELS);
  else if (CONSONANTS.includes(lower)) out = pick(CONSONANTS);
  else {
    // Another script: a nearby code point that is a letter of the same script and case.
    const cp = c.codePointAt(0) ?? 0x61;
    const script = SCRIPTS.find((re) => re.test(c));
    out = c;
    for (let i = 0; i < 16; i++) {
      const candidate = String.fromCodePoint(Math.max(0x41, cp + randomInt(-24, 25)));
      const sameCase = upper
        ? candidate !== candidate.toLowerCase()
        : candidate !== candidate.toUpperCase() || candidate === c.toUpperCase();
      if (/^\p{L}$/u.test(candidate) && (script ? script.test(candidate) : true) && sameCase) {
        out = candidate;
        break;
      }
    }
    return out;
  }
  return upper ? out.toUpperCase() : out;
}

function decoyLetters(text: string): string {
  const { byLength, rank } = loadLexicon();
  const lower = text.toLowerCase();
  const r = rank.get(lower);
  const words = byLength.get(lower.length);
  if (r !== undefined && words && words.length > 1) {
    // A word of similar frequency: people choose common words; decoys must be as common.
    const lo = Math.floor(r / 4);
    const hi = Math.min(words.length, Math.max(r * 4 + 1, lo + 50));
    return withCase(words[randomInt(lo, hi)] ?? lower, text);
  }
  const chars = [...text];
  let changed = false;
  const out = chars.map((c) => {
    if (randomInt(2) === 0) return c;
    changed = true;
    return tweakLetter(c);
  });
  if (!changed && chars.length > 0) {
    const i = randomInt(chars.length);
    out[i] = tweakLetter(chars[i] ?? 'a');
  }
  return out.join('');
}

function decoyDigits(text: string): string {
  if (/^(19|20)\d\d$/.test(text) && Number(text) < 2040) return String(randomInt(1940, 2031));
  return [...text]
    .map((c, i) => (i === 0 && c !== '0' ? String(randomInt(1, 10)) : String(randomInt(10))))
    .join('');
}

function decoySymbols(text: string): string {
  return [...text].map((c) => (randomInt(2) === 0 ? c : pick(SYMBOLS))).join('');
}

/** One decoy with the structure of `password` (it may, rarely, equal it: callers deduplicate). */
export function decoyFor(password: string): string {
  return runsOf(password)
    .map((run) => {
      if (run.kind === 'letters') return decoyLetters(run.text);
      if (run.kind === 'digits') return decoyDigits(run.text);
      if (run.kind === 'symbols') return decoySymbols(run.text);
      return run.text;
    })
    .join('');
}

/** `count` distinct decoys for `password`, none equal to it. */
export function decoysFor(password: string, count: number): string[] {
  const seen = new Set([password]);
  const out: string[] = [];
  for (let attempts = 0; out.length < count; attempts++) {
    let d = decoyFor(password);
    // A shape with almost no freedom (a long run of one repeated symbol): force a difference.
    if (attempts > 20 * count) d = `${d.slice(0, -2)}${pick(CONSONANTS)}${pick(VOWELS)}`;
    if (attempts > 200 * count) d = `${d}${pick(CONSONANTS)}${String(randomInt(10))}`;
    if (seen.has(d)) continue;
    seen.add(d);
    out.push(d);
  }
  return out;
}
