/**
 * Where a device keeps its own state: its private keys, the rosters it has verified, its cursors.
 * The browser implements this over IndexedDB, the headless toy over files in its data folder.
 */
export interface StateStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T): Promise<void>;
}

/** In-memory store for tests and one-shot scripts. */
export class MemoryStore implements StateStore {
  private readonly data = new Map<string, string>();
  get<T>(key: string): Promise<T | undefined> {
    const v = this.data.get(key);
    return Promise.resolve(v === undefined ? undefined : (JSON.parse(v) as T));
  }
  set<T>(key: string, value: T): Promise<void> {
    // Round-trip through JSON so callers cannot keep a live reference into the store.
    this.data.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}
