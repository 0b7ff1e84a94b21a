/**
 * The few file calls of a durable blob write on raw file descriptors, as promises. fs.promises wraps
 * every open file in a FileHandle (an object the GC tracks, its close a further promise chain) and its
 * writeFile loops through a generic chunked writer; a blob upload opens, writes, syncs and closes one
 * file and a batch opens each folder it syncs, on every upload (issue #11: CPU on the event loop per
 * message is what limits durable delivery). The same threadpool calls, without the wrappers.
 */
import { close, fdatasync, fsync, open, write } from 'node:fs';

const settle =
  <T>(resolve: (value: T) => void, reject: (err: unknown) => void) =>
  (err: NodeJS.ErrnoException | null, value: T): void => {
    if (err) reject(err);
    else resolve(value);
  };

export const openFd = (path: string, flags: string, mode?: number): Promise<number> =>
  new Promise((resolve, reject) => {
    open(path, flags, mode, settle(resolve, reject));
  });

export const closeFd = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    close(fd, (err) => {
      settle(resolve, reject)(err, undefined);
    });
  });

export const datasyncFd = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    fdatasync(fd, (err) => {
      settle(resolve, reject)(err, undefined);
    });
  });

export const fsyncFd = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    fsync(fd, (err) => {
      settle(resolve, reject)(err, undefined);
    });
  });

/** Writes all of `bytes` at the file's start (a short write, rare on a regular file, continues). */
export async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    at += await new Promise<number>((resolve, reject) => {
      write(fd, bytes, at, bytes.length - at, at, (err, written) => {
        settle(resolve, reject)(err, written);
      });
    });
  }
}
