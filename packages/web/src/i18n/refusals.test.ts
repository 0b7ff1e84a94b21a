/**
 * Every reason the server can give for a refusal (REFUSALS in @burrow/api, the list the server's
 * AppError is typed by) has the app's own sentence in every language, naming exactly the values the
 * server sends with it — so no page falls back to the server's English.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFUSAL_REASONS, REFUSALS } from '@burrow/api';
import type { Language } from './index.js';
import { refusalsDe } from './locales/refusals-de.js';
import { refusalsEn } from './locales/refusals-en.js';

const byLanguage: Record<Language, Readonly<Record<string, string | undefined>>> = { en: refusalsEn, de: refusalsDe };

/** The {{values}} a sentence fills in, sorted. */
const values = (text: string): string[] => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();

void test('every refusal reason the server can send has a sentence in English and German with exactly its params', () => {
  assert.ok(REFUSAL_REASONS.length > 100, `only ${String(REFUSAL_REASONS.length)} reasons: is REFUSALS still the server's list?`);
  const problems: string[] = [];
  for (const reason of REFUSAL_REASONS) {
    const params = [...REFUSALS[reason]].sort();
    for (const [language, texts] of Object.entries(byLanguage)) {
      const text = texts[reason];
      if (text === undefined || text.trim() === '') problems.push(`${language}: no text for ${reason}`);
      else if (values(text).join() !== params.join())
        problems.push(`${language}: ${reason} names {${values(text).join()}}, the server sends {${params.join()}}`);
    }
    if (refusalsDe[reason] === refusalsEn[reason]) problems.push(`de: ${reason} is the English text`);
  }
  assert.deepEqual(problems, []);
});

void test('no language has a text for a reason the server does not send', () => {
  for (const texts of Object.values(byLanguage))
    assert.deepEqual(Object.keys(texts).filter((k) => !Object.hasOwn(REFUSALS, k)), []);
});
