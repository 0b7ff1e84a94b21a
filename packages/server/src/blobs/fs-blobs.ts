import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertBlobKey, type Blobs } from './blobs.js';
import { createSyncBatcher } from './fs-sync-batch.js';
import { closeFd, openFd, readWhole, writeAll } from './raw-fs.js';

const TEMP_PREFIX = '.tmp-';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * Blobs as files under `root`. A put is atomic and durable: write a temp file in the same directory,
 * fdatasync it, rename over the final name, fsync the directory — so a crash leaves either the whole
 * blob or none of it (P7); the syncs of concurrent puts are batched (fs-sync-batch.ts). A crash can
 * leave temp files behind: `sweep` removes them. Directories are 0700 and files 0600: only the
 * server's user reads them.
 */
export function createFsBlobs(root: string): Blobs {
  const pathOf = (key: string): string => {
    assertBlobKey(key);
    return join(root, ...key.split('/'));
  };
  const batcher = createSyncBatcher();
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      const dir = dirname(path);
      const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      // The family's folder exists after its first blob: create it only when the open says it is missing
      // (one threadpool round trip less per upload than a mkdir each time).
      // A raw descriptor, not a FileHandle (raw-fs.ts: less CPU per upload).
      const fd = await openFd(temp, 'wx', 0o600).catch(async (err: unknown) => {
        if (!isNotFound(err)) throw err;
        await mkdir(dir, { recursive: true, mode: 0o700 });
        return openFd(temp, 'wx', 0o600);
      });
      try {
        await writeAll(fd, bytes);
      } catch (err) {
        await closeFd(fd).catch(() => undefined);
        await rm(temp, { force: true });
        throw err;
      }
      // Durable (data, name, folder) once the batch it joins is: resolves only then.
      await batcher.commit({ fd, temp, path, dir });
    },
    async get(key) {
      try {
        // Raw descriptor calls, into one array (raw-fs.ts readWhole).
        return await readWhole(pathOf(key));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async has(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async *sweep(only) {
      // Keys are <familyId>/<hash>: one folder level under the root.
      const folders = only
        ? only.map((name) => {
            assertBlobKey(name);
            return { name, isDirectory: () => true };
          })
        : await readdir(root, { withFileTypes: true }).catch((err: unknown) => {
            if (isNotFound(err)) return [];
            throw err;
          });
      for (const folder of folders) {
        if (!folder.isDirectory()) continue;
        const dir = join(root, folder.name);
        const keys: string[] = [];
        // A folder named by the journal may be gone (its family erased) or never made (the put failed first).
        const names = await readdir(dir).catch((err: unknown) => {
          if (isNotFound(err)) return [];
          throw err;
        });
        for (const name of names) {
          if (name.startsWith(TEMP_PREFIX)) await rm(join(dir, name), { force: true });
          else keys.push(`${folder.name}/${name}`);
        }
        if (keys.length > 0) yield keys;
      }
    },
  };
}
