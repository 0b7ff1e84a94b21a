/**
 * The few file calls of a durable blob write on raw file descriptors, as promises. fs.promises wraps
 * every open file in a FileHandle (an object the GC tracks, its close a further promise chain) and its
 * writeFile loops through a generic chunked writer; a blob upload opens, writes, syncs and closes one
 * file and a batch opens each folder it syncs, on every upload (issue #11: CPU on the event loop per
 * message is what limits durable delivery). The same threadpool calls, without the wrappers.
 */
import { close, fdatasync, fsync, open, write } from 'node:fs';
import { promisify } from 'node:util';

export const openFd = promisify(open);
export const closeFd = promisify(close);
export const datasyncFd = promisify(fdatasync);
export const fsyncFd = promisify(fsync);
const writeAt = promisify(write);

/** Writes all of `bytes` at the file's start (a short write, rare on a regular file, continues). */
export async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await writeAt(fd, bytes, at, bytes.length - at, at)).bytesWritten;
}
