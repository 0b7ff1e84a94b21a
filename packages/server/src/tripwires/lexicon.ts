/**
 * The decoys' lexicon (decoys.ts): English common words, Wikipedia words, first names and diceware
 * words from zxcvbn-ts, lower-case a-z only, each once, in rank order.
 *
 * The zxcvbn-ts packages decompress their lists when they load (≈ 0.35 CPU-s and much garbage), and
 * every process that hashes a password makes decoys: each test server that signs someone up paid it
 * again. So the word list is derived once per install and kept as an install cache file
 * (install-cache/checked-file.ts), named by the packages' versions and this format; later processes
 * read it in milliseconds. Loaded on the first decoy, not with the server, which most processes (CLI
 * commands, most test files) never need. The packages through `require` (their CommonJS build)
 * because a decoy is made synchronously.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as CommonDictionaries from '@zxcvbn-ts/language-common';
import type * as EnglishDictionaries from '@zxcvbn-ts/language-en';
import { checkedFileFor, readCheckedFileSync, writeCheckedFileSync, type CheckedFile } from '../install-cache/index.js';

const require = createRequire(import.meta.url);
const FORMAT = 'burrow-decoy-lexicon/v1';
const PACKAGES = ['@zxcvbn-ts/language-en', '@zxcvbn-ts/language-common'] as const;

/** Words by length, in rank order (most common first), and each word's rank within its length. */
export interface Lexicon {
  byLength: Map<number, string[]>;
  rank: Map<string, number>;
}

/** The word list made from the packages themselves (the slow way). */
export function wordsFromPackages(): string[] {
  const common = (require('@zxcvbn-ts/language-common') as typeof CommonDictionaries).dictionary;
  const english = (require('@zxcvbn-ts/language-en') as typeof EnglishDictionaries).dictionary;
  const seen = new Set<string>();
  for (const list of [english['commonWords-en'], english['wikipedia-en'], english['firstnames-en'], common['diceware-common']])
    for (const w of list ?? []) if (typeof w === 'string' && /^[a-z]{2,24}$/.test(w)) seen.add(w);
  return [...seen];
}

/** Where the word list of the installed packages is kept (undefined outside a node_modules folder). */
export function lexiconFile(): CheckedFile | undefined {
  const entries = PACKAGES.map((name) => require.resolve(name));
  const versions = entries.map((entry) => {
    const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: unknown };
    return String(manifest.version);
  });
  return checkedFileFor(entries[0] ?? '', 'burrow-decoys', 'words', [FORMAT, ...PACKAGES, ...versions]);
}

/** The word list: from its kept file when that checks out, else from the packages (and then kept). */
export function lexiconWords(file: CheckedFile | undefined = lexiconFile()): string[] {
  const kept = file && readCheckedFileSync(file);
  if (kept) return kept.toString('utf8').split('\n');
  const words = wordsFromPackages();
  if (file) writeCheckedFileSync(file, Buffer.from(words.join('\n'), 'utf8'));
  return words;
}

/** Groups the words by length, keeping their rank order. */
export function lexiconOf(words: readonly string[]): Lexicon {
  const byLength = new Map<number, string[]>();
  const rank = new Map<string, number>();
  for (const w of words) {
    let sameLength = byLength.get(w.length);
    if (!sameLength) byLength.set(w.length, (sameLength = []));
    rank.set(w, sameLength.length);
    sameLength.push(w);
  }
  return { byLength, rank };
}

let lexicon: Lexicon | undefined;

/** The process's lexicon, made on first use. */
export function loadLexicon(): Lexicon {
  return (lexicon ??= lexiconOf(lexiconWords()));
}
