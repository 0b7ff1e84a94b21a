/**
 * The few file calls of a durable blob write on raw file descriptors, as promises. fs.promises wraps
 * every open file in a FileHandle (an object the GC tracks, its close a further promise chain) and its
 * writeFile loops through a generic chunked writer; a blob upload opens, writes, syncs and closes one
 * file and a batch opens each folder it syncs, on every upload (issue #11: CPU on the event loop per
 * message is what limits durable delivery). The same threadpool calls, without the wrappers.
 */
import { close, fdatasync, fstat, fsync, open, read, write } from 'node:fs';
import { promisify } from 'node:util';

export const openFd = promisify(open);
export const closeFd = promisify(close);
export const datasyncFd = promisify(fdatasync);
export const fsyncFd = promisify(fsync);
const writeAt = promisify(write);
const readAt = promisify(read);
const statFd = promisify(fstat);

/** Writes all of `bytes` at the file's start (a short write, rare on a regular file, continues). */
export async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await writeAt(fd, bytes, at, bytes.length - at, at)).bytesWritten;
}

/**
 * A whole file's bytes, read into an array of its size. fs.promises readFile wraps the descriptor in a
 * FileHandle, and the store then copied its Buffer into a Uint8Array: a blob download held each blob
 * twice (bench/delivery/blob-cpu.ts: about a third less CPU per get this way, issue #11). A blob file
 * is never written after its rename, so its size does not change while it is read.
 */
export async function readWhole(path: string): Promise<Uint8Array> {
  const fd = await openFd(path, 'r');
  try {
    const { size } = await statFd(fd);
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await readAt(fd, bytes, at, size - at, at);
      if (bytesRead === 0) return bytes.subarray(0, at); // shorter than its size said: what is there
      at += bytesRead;
    }
    return bytes;
  } finally {
    await closeFd(fd);
  }
}
