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

/** Decrypted messages of this device, in the same database as its keys. */
export class MessageArchive {
  constructor(private readonly db: IDBDatabase) {}

  async all(): Promise<ArchivedMessage[]> {
    const tx = this.db.transaction(MESSAGES, 'readonly');
    const rows = (await promisify(tx.objectStore(MESSAGES).getAll())) as ArchivedMessage[];
    return rows.sort((a, b) => a.createdAt - b.createdAt || a.messageId.localeCompare(b.messageId));
  }

  /** Inserts or merges: fields already set (a recipient list, a heard flag) are kept. */
  async put(message: ArchivedMessage): Promise<void> {
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    const existing = (await promisify(store.get(message.messageId))) as ArchivedMessage | undefined;
    store.put({ ...message, to: message.to ?? existing?.to, heard: message.heard ?? existing?.heard });
    await done(tx);
  }

  /** A message deleted (here, or by its sender or a guardian elsewhere): its audio goes too. */
  async remove(messageId: string): Promise<void> {
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    tx.objectStore(MESSAGES).delete(messageId);
    await done(tx);
  }

  async markHeard(messageId: string): Promise<void> {
    const tx = this.db.transaction(MESSAGES, 'readwrite');
    const store = tx.objectStore(MESSAGES);
    const existing = (await promisify(store.get(messageId))) as ArchivedMessage | undefined;
    if (existing) store.put({ ...existing, heard: true });
    await done(tx);
  }
}
