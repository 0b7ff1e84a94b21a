/**
 * The toy's StateStore on a Raspberry-Pi-class device: one JSON file per key in its data folder,
 * written atomically (temp file, fsync, rename, fsync the folder) so a power cut never leaves a torn
 * key file or a half-written roster. The folder is 0700 and every file 0600: the keys are the toy.
 */
import { mkdirSync, openSync, fsyncSync, closeSync, writeSync, renameSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { StateStore } from '@burrow/client';

export class FileStore implements StateStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }

  private path(key: string): string {
    if (!/^[a-zA-Z0-9:_-]+$/.test(key)) throw new Error(`bad store key: ${key}`);
    return join(this.dir, `${key.replace(/:/g, '_')}.json`);
  }

  get<T>(key: string): Promise<T | undefined> {
    try {
      return Promise.resolve(JSON.parse(readFileSync(this.path(key), 'utf8')) as T);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve(undefined);
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  set<T>(key: string, value: T): Promise<void> {
    const target = this.path(key);
    const temp = `${target}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return Promise.resolve();
  }
}
