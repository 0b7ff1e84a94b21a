import { assertBlobKey, type Blobs } from './blobs.js';

/** In-memory blobs for tests; copies on the way in and out so callers cannot alias stored bytes. */
export function createMemoryBlobs(): Blobs {
  const store = new Map<string, Uint8Array>();
  return {
    // async so an invalid key rejects like every other adapter's failure, rather than throwing.
    async put(key, bytes) {
      assertBlobKey(key);
      await Promise.resolve();
      store.set(key, bytes.slice());
    },
    async get(key) {
      assertBlobKey(key);
      await Promise.resolve();
      return store.get(key)?.slice();
    },
    async has(key) {
      assertBlobKey(key);
      await Promise.resolve();
      return store.has(key);
    },
    async delete(key) {
      assertBlobKey(key);
      await Promise.resolve();
      store.delete(key);
    },
  };
}
