/**
 * The blocklist's key file: the merged, sorted keys written once per install, and read by every later
 * process instead of being rebuilt (blocklist.ts).
 *
 * It is an install cache file (install-cache/checked-file.ts: node_modules/.cache/burrow-blocklist/,
 * checked on every read, renamed into place), named by a hash of what it is made from: the list file's
 * bytes, the zxcvbn-ts package's version, the minimum length and this format. An upgrade of either
 * package, or of the rules, makes a new file instead of reading a stale one. Where the folder cannot
 * be written (a read-only install) the keys stay in memory only.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkedFileFor, readCheckedFile, writeCheckedFile, type CheckedFile } from '../install-cache/index.js';
import { SortedKeys } from './blocklist-keys.js';

const FORMAT = 'burrow-blocklist/v1';

export type KeyFile = CheckedFile;

/**
 * Where the keys made from these sources are kept: `fxaListPath` is the resolved list file (inside
 * node_modules), `commonEntry` the resolved entry of @zxcvbn-ts/language-common. Undefined when the
 * list is not inside a node_modules folder (nowhere sensible to keep it).
 */
export function keyFileFor(fxaListPath: string, fxaList: Buffer, commonEntry: string, minLength: number): KeyFile | undefined {
  const manifest = JSON.parse(readFileSync(join(dirname(commonEntry), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return checkedFileFor(fxaListPath, 'burrow-blocklist', 'keys', [FORMAT, String(minLength), String(manifest.version), fxaList]);
}

/** The kept keys, or undefined when there are none or they fail their check. */
export async function readKeyFile(file: KeyFile): Promise<SortedKeys | undefined> {
  const body = await readCheckedFile(file);
  return body && SortedKeys.fromText(body);
}

/** Keeps the keys for the next process; a failure only means the next one builds them too. */
export async function writeKeyFile(file: KeyFile, keys: SortedKeys): Promise<void> {
  await writeCheckedFile(file, keys.text);
}
