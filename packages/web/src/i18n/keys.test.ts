import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chooseLanguage, i18n } from './index.js';
import { de } from './locales/de.js';
import { en } from './locales/en.js';

type Tree = { [key: string]: string | Tree };

/** "a.b.c" → text, for every leaf. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const locales = { en: flatten(en), de: flatten(de) };
const src = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every key the code names literally: t('…'), i18n.t('…') and <Trans i18nKey="…">. */
function usedKeys(): { key: string; where: string }[] {
  const found: { key: string; where: string }[] = [];
  const pattern = /\bt\(\s*'([a-zA-Z0-9_.]+)'|i18nKey=["']([a-zA-Z0-9_.]+)["']/g;
  for (const file of sourceFiles(src)) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      found.push({ key: (match[1] ?? match[2])!, where: relative(src, file) });
    }
  }
  return found;
}

/** A plural key is used by its base name; the language holds `_one`, `_other`, … */
function has(locale: Map<string, string>, key: string): boolean {
  return locale.has(key) || locale.has(`${key}_other`);
}

/** The {{values}} and <tags> a text contains, sorted: a translation must keep all of them. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}|<\/?(\w+)\s*\/?>/g)]
    .map((m) => m[0].replace(/\s/g, ''))
    .sort();
}

void test('every key the code uses exists in English and in German', () => {
  const used = usedKeys();
  assert.ok(used.length > 100, `found only ${String(used.length)} uses of t(): is the pattern still right?`);
  const missing = used.filter(({ key }) => !has(locales.en, key) || !has(locales.de, key));
  assert.deepEqual(missing, []);
});

void test('English and German have the same keys', () => {
  const onlyEn = [...locales.en.keys()].filter((k) => !locales.de.has(k));
  const onlyDe = [...locales.de.keys()].filter((k) => !locales.en.has(k));
  assert.deepEqual({ onlyEn, onlyDe }, { onlyEn: [], onlyDe: [] });
});

void test('each German text keeps the English text’s values and links, and none is empty', () => {
  for (const [key, english] of locales.en) {
    const german = locales.de.get(key) ?? '';
    assert.notEqual(german.trim(), '', key);
    assert.deepEqual(placeholders(german), placeholders(english), key);
  }
});

void test('the first visit takes the browser’s first language we have; a stored choice wins', () => {
  assert.equal(chooseLanguage(null, ['de-DE', 'en-US']), 'de');
  assert.equal(chooseLanguage(null, ['fr-FR', 'de-AT', 'en']), 'de');
  assert.equal(chooseLanguage(null, ['fr-FR', 'es']), 'en');
  assert.equal(chooseLanguage(null, []), 'en');
  assert.equal(chooseLanguage('en', ['de-DE']), 'en');
  assert.equal(chooseLanguage('xx', ['de-DE']), 'de');
});

void test('a key German lacks shows the English text, never the raw key', async () => {
  i18n.addResource('en', 'translation', 'probe.onlyEnglish', 'Only in English');
  await i18n.changeLanguage('de');
  try {
    // A key outside the typed set, as a lookup built at run time would be.
    const anyKey = i18n.t.bind(i18n) as unknown as (key: string) => string;
    assert.equal(anyKey('probe.onlyEnglish'), 'Only in English');
    assert.equal(i18n.t('home.title'), 'Start');
    assert.equal(i18n.t('home.notPlayed', { count: 1 }), '1 Nachricht noch nicht abgespielt');
    assert.equal(i18n.t('home.notPlayed', { count: 3 }), '3 Nachrichten noch nicht abgespielt');
  } finally {
    await i18n.changeLanguage('en');
  }
});
