/**
 * The blocklist's key file: the merged, sorted keys written once per install, and read by every later
 * process instead of being rebuilt (blocklist.ts).
 *
 * It lives in node_modules/.cache/burrow-blocklist/, beside the packages it is made from, so only what
 * can change those packages can change it. Its name is a hash of what it is made from (the list file's
 * bytes, the zxcvbn-ts package's version, the minimum length and this format): an upgrade of either
 * package, or of the rules, makes a new file instead of reading a stale one. Its first line is the
 * SHA-256 of the rest, checked on every read, so a torn or altered file is rebuilt, never trusted.
 * It is written under a temporary name and renamed into place: processes building at once never see
 * half a file. Where the folder cannot be written (a read-only install) the keys stay in memory only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { SortedKeys } from './blocklist-keys.js';

const FORMAT = 'burrow-blocklist/v1';

export interface KeyFile {
  readonly folder: string;
  readonly name: string;
}

/**
 * Where the keys made from these sources are kept: `fxaListPath` is the resolved list file (inside
 * node_modules), `commonEntry` the resolved entry of @zxcvbn-ts/language-common. Undefined when the
 * list is not inside a node_modules folder (nowhere sensible to keep it).
 */
export function keyFileFor(fxaListPath: string, fxaList: Buffer, commonEntry: string, minLength: number): KeyFile | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = fxaListPath.lastIndexOf(marker);
  if (at < 0) return undefined;
  const manifest = JSON.parse(readFileSync(join(dirname(commonEntry), '..', 'package.json'), 'utf8')) as { version?: unknown };
  const digest = createHash('sha256')
    .update(`${FORMAT}\n${String(minLength)}\n${String(manifest.version)}\n`)
    .update(fxaList)
    .digest('hex');
  return { folder: join(fxaListPath.slice(0, at + marker.length), '.cache', 'burrow-blocklist'), name: `${digest}.keys` };
}

const digestOf = (text: Buffer): string => createHash('sha256').update(text).digest('hex');

/** The kept keys, or undefined when there are none or they fail their check. */
export async function readKeyFile(file: KeyFile): Promise<SortedKeys | undefined> {
  let content: Buffer;
  try {
    content = await readFile(join(file.folder, file.name));
  } catch {
    return undefined; // not written yet
  }
  const newline = content.indexOf(10);
  if (newline !== 64) return undefined;
  const body = content.subarray(newline + 1);
  if (content.toString('latin1', 0, 64) !== digestOf(body)) return undefined;
  return SortedKeys.fromText(body);
}

/** Keeps the keys for the next process; a failure only means the next one builds them too. */
export async function writeKeyFile(file: KeyFile, keys: SortedKeys): Promise<void> {
  const temporary = join(file.folder, `.${file.name}.${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(file.folder, { recursive: true });
    await writeFile(temporary, Buffer.concat([Buffer.from(`${digestOf(keys.text)}\n`, 'latin1'), keys.text]));
    await rename(temporary, join(file.folder, file.name));
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}
