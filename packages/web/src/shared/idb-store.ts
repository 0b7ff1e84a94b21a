/**
 * The browser's StateStore (packages/client/src/store.ts) over IndexedDB. A device's private keys,
 * pinned rosters and cursors live here and nowhere else: not in localStorage, not on the server.
 *
 * Keys are the @noble byte keys the protocol package works with (DeviceKeys holds raw secrets), kept
 * only in this origin's IndexedDB. WebCrypto's non-extractable Ed25519/X25519 keys would not fit the
 * protocol's synchronous, byte-based signing and HPKE calls without rewriting them.
 *
 * One database per role: the guardian app and the toy simulator share an origin but never a key.
 */
import type { StateStore } from '@burrow/client';
import { ARCHIVE_KEY, newArchiveKey, openContent, sealContent, type OpenContent, type SealedContent } from './archive-seal.js';

const STATE = 'state';
const MESSAGES = 'messages';
const VERSION = 1;

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openDatabase(name: string): Promise<IDBDatabase> {
  const request = indexedDB.open(name, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(STATE)) db.createObjectStore(STATE);
    if (!db.objectStoreNames.contains(MESSAGES)) db.createObjectStore(MESSAGES, { keyPath: 'messageId' });
  };
  return promisify(request);
}

/** Deletes a whole database (the toy simulator's "factory reset"). */
export function deleteDatabase(name: string): Promise<void> {
  return promisify(indexedDB.deleteDatabase(name)).then(() => undefined);
}

export class IdbStore implements StateStore {
  constructor(readonly db: IDBDatabase) {}

  static async open(name: string): Promise<IdbStore> {
    return new IdbStore(await openDatabase(name));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const tx = this.db.transaction(STATE, 'readonly');
    const value = (await promisify(tx.objectStore(STATE).get(key))) as T | undefined;
    return value;
  }

  async set<T>(key: string, value: T): Promise<void> {
    const tx = this.db.transaction(STATE, 'readwrite');
    // Structured clone, like MemoryStore's JSON round-trip: the caller keeps no live reference.
    tx.objectStore(STATE).put(value, key);
    await done(tx);
  }
}

/** A message this browser has opened, kept so the conversation survives a reload. */
export interface ArchivedMessage {
  messageId: string;
  familyId: string;
  from: string;
  createdAt: number;
  mimeType: string;
  durationMs: number | null;
  senderName: string | null;
  audio: Blob;
  /** Toys a message from this browser was sent to (set when it is sent from here). */
  to?: string[];
  /** This browser's user has listened to it. */
  heard?: boolean;
}

/**
 * A message as the messages store holds it: the metadata the app sorts and merges on stays readable,
 * the content (audio, sender's name) is sealed (archive-seal.ts). Older versions stored `audio` and
 * `senderName` in clear; such a record is read as before and sealed on its first read.
 */
type StoredMessage = Omit<ArchivedMessage, 'audio' | 'senderName'> &
  ({ sealed: SealedContent; audio?: undefined; senderName?: undefined } | { sealed?: undefined; audio: Blob; senderName: string | null });

/**
 * Messages this device has opened, in the same database as its keys; what they say is encrypted at
 * rest under the archive key (archive-seal.ts). Callers see ArchivedMessage with its audio Blob.
 */
export class MessageArchive {
  private key: Promise<CryptoKey> | undefined;
  /**
   * Contents already opened, by messageId, with the IV they were sealed under: all() runs after every
   * send and sync, and would otherwise decrypt the whole history each time. A record sealed again
   * (new IV) is opened again. The app's state holds these Blobs anyway.
   */
  private readonly opened = new Map<string, { iv: string; content: OpenContent }>();

  constructor(private readonly db: IDBDatabase) {}

  /** The archive key, made on first use. Get-or-put in one transaction, so two tabs agree on one key. */
  private archiveKey(): Promise<CryptoKey> {
    this.key ??= (async () => {
      const fresh = await newArchiveKey();
      const tx = this.db.transaction(STATE, 'readwrite');
      const store = tx.objectStore(STATE);
      const existing = (await promisify(store.get(ARCHIVE_KEY))) as CryptoKey | undefined;
      if (!existing) store.put(fresh, ARCHIVE_KEY);
      await done(tx);
      return existing ?? fresh;
    })();
    // A failure (e.g. a blocked transaction) is not remembered: the next call tries again.
    this.key.catch(() => {
      this.key = undefined;
    });
    return this.key;
  }

  async all(): Promise<ArchivedMessage[]> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const rows = (await promisify(tx.objectStore(MESSAGES).getAll())) as StoredMessage[];
    const key = await this.archiveKey();
    const opened: ArchivedMessage[] = [];
    for (const row of rows) {
      if (!row.sealed) {
        // Stored in clear by an older version: shown as it is, then sealed in place.
        const { sealed: _none, ...clear } = row;
        opened.push(clear);
        await this.sealInPlace(key, clear.messageId).catch((err: unknown) =>
          console.warn(`archive: could not seal message ${clear.messageId}:`, err),
        );
        continue;
      }
      try {
        const iv = row.sealed.iv.join(',');
        const cached = this.opened.get(row.messageId);
        const content = cached?.iv === iv ? cached.content : await openContent(key, row.messageId, row.sealed);
        this.opened.set(row.messageId, { iv, content });
        const { sealed: _sealed, audio: _a, senderName: _s, ...meta } = row;
        opened.push({ ...meta, ...content });
      } catch (err) {
        // Altered, moved, or sealed under a key this database no longer holds: skipped, not fatal.
        console.warn(`archive: message ${row.messageId} could not be opened; skipped:`, err);
      }
    }
    const present = new Set(rows.map((r) => r.messageId));
    for (const id of this.opened.keys()) if (!present.has(id)) this.opened.delete(id);
    return opened.sort((a, b) => a.createdAt - b.createdAt || a.messageId.localeCompare(b.messageId));
  }

  /** Inserts or merges: fields already set (a recipient list, a heard flag) are kept. */
  async put(message: ArchivedMessage): Promise<void> {
    const { audio, senderName, ...meta } = message;
    // Sealed before the transaction opens: an await on WebCrypto inside it would end it.
    const sealed = await sealContent(await this.archiveKey(), message.messageId, { audio, senderName });
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    const existing = (await promisify(store.get(message.messageId))) as StoredMessage | undefined;
    const record: StoredMessage = { ...meta, sealed, to: message.to ?? existing?.to, heard: message.heard ?? existing?.heard };
    store.put(record);
    await done(tx);
  }

  /** Seals a record stored in clear, unless it was deleted or sealed meanwhile. */
  private async sealInPlace(key: CryptoKey, messageId: string): Promise<void> {
    const read = this.db.transaction(MESSAGES, 'readonly');
    const before = (await promisify(read.objectStore(MESSAGES).get(messageId))) as StoredMessage | undefined;
    if (!before || before.sealed) return;
    const sealed = await sealContent(key, messageId, { audio: before.audio, senderName: before.senderName });
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    const now = (await promisify(store.get(messageId))) as StoredMessage | undefined;
    if (now && !now.sealed) {
      const { audio: _a, senderName: _s, ...meta } = now;
      store.put({ ...meta, sealed } satisfies StoredMessage);
    }
    await done(tx);
  }

  /** A message deleted (here, or by its sender or a guardian elsewhere): its audio goes too. */
  async remove(messageId: string): Promise<void> {
    this.opened.delete(messageId);
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    tx.objectStore(MESSAGES).delete(messageId);
    await done(tx);
  }

  async markHeard(messageId: string): Promise<void> {
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    const existing = (await promisify(store.get(messageId))) as StoredMessage | undefined;
    if (existing) store.put({ ...existing, heard: true });
    await done(tx);
  }
}
