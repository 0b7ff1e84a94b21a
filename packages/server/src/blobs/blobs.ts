/**
 * Blob storage as a port. Blobs are ciphertext the server cannot read; keys are `<familyId>/<hash>`.
 * Keys are path-like: segments of [A-Za-z0-9_-] joined by "/", so no adapter can be walked out of
 * its root.
 */
export interface Blobs {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /**
   * `from`: the client address of the request reading it, when there is one. Stores ignore it; the
   * canary tripwire wrapped around them (tripwires/service.ts) names it in its alert.
   */
  get(key: string, from?: { readonly ip: string }): Promise<Uint8Array | undefined>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Optional, for the crash sweep at start-up (messages/store.ts `removeOrphanBlobs`): removes temp
   * files of puts a crash interrupted, then yields every stored key, a folder's worth at a time —
   * of the given top-level folders only (the families a journal says had writes in flight,
   * maintenance/blob-journal.ts), or of all of them. Adapters that cannot list cheaply (S3: its puts
   * are atomic and leave no temp objects) omit it.
   */
  sweep?(folders?: readonly string[]): AsyncIterable<string[]>;
}

const KEY = /^[A-Za-z0-9_-]{1,128}(\/[A-Za-z0-9_-]{1,128}){0,3}$/;

export function assertBlobKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`Invalid blob key: ${JSON.stringify(key.slice(0, 80))}`);
}
