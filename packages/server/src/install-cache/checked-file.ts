/**
 * Files derived once per install from installed packages, and read by every later process instead of
 * being derived again: the blocklist's sorted keys (accounts/blocklist-cache.ts), the decoys' lexicon
 * (tripwires/lexicon.ts). Deriving them costs a few tenths of a CPU-second per process; reading one
 * costs milliseconds.
 *
 * - Kept in node_modules/.cache/<folder>/, beside the packages they are made from, so only what can
 *   change those packages can change them.
 * - Named by a hash of everything they are made from (the caller's inputs: versions, bytes, format),
 *   so an upgrade makes a new file instead of reading a stale one.
 * - The first line is the SHA-256 of the rest, checked on every read: a torn or altered file is made
 *   again, never trusted.
 * - Written under a temporary name and renamed into place: processes deriving at once never see half
 *   a file. Where nothing can be written (a read-only install) each process derives its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface CheckedFile {
  readonly folder: string;
  readonly name: string;
}

const digestOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Where a file derived from `inputs` is kept: `packagePath` is any resolved file inside the
 * node_modules folder its sources come from. Undefined when it is not inside one (nowhere sensible).
 */
export function checkedFileFor(packagePath: string, folder: string, extension: string, inputs: readonly (string | Buffer)[]): CheckedFile | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = packagePath.lastIndexOf(marker);
  if (at < 0) return undefined;
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(typeof input === 'string' ? `${input}\n` : input);
  return { folder: join(packagePath.slice(0, at + marker.length), '.cache', folder), name: `${hash.digest('hex')}.${extension}` };
}

/** The body of a kept file whose first line checks out, else undefined. */
function checked(content: Buffer): Buffer | undefined {
  if (content.indexOf(10) !== 64) return undefined;
  const body = content.subarray(65);
  return content.toString('latin1', 0, 64) === digestOf(body) ? body : undefined;
}

const withDigest = (body: Buffer): Buffer => Buffer.concat([Buffer.from(`${digestOf(body)}\n`, 'latin1'), body]);
const temporaryOf = (file: CheckedFile): string => join(file.folder, `.${file.name}.${randomBytes(6).toString('hex')}`);

/** The kept body, or undefined when there is none or it fails its check. */
export async function readCheckedFile(file: CheckedFile): Promise<Buffer | undefined> {
  try {
    return checked(await readFile(join(file.folder, file.name)));
  } catch {
    return undefined; // not written yet
  }
}

/** readCheckedFile for code that derives synchronously (at most a few MB, once per process). */
export function readCheckedFileSync(file: CheckedFile): Buffer | undefined {
  try {
    return checked(readFileSync(join(file.folder, file.name)));
  } catch {
    return undefined;
  }
}

/** Keeps `body` for the next process; a failure only means the next one derives it too. */
export async function writeCheckedFile(file: CheckedFile, body: Buffer): Promise<void> {
  const temporary = temporaryOf(file);
  try {
    await mkdir(file.folder, { recursive: true });
    await writeFile(temporary, withDigest(body));
    await rename(temporary, join(file.folder, file.name));
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** writeCheckedFile for code that derives synchronously. */
export function writeCheckedFileSync(file: CheckedFile, body: Buffer): void {
  const temporary = temporaryOf(file);
  try {
    mkdirSync(file.folder, { recursive: true });
    writeFileSync(temporary, withDigest(body));
    renameSync(temporary, join(file.folder, file.name));
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing could be written here: there is no leftover either.
    }
  }
}
