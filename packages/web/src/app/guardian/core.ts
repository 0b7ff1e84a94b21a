/**
 * What every part of the guardian app shares: the protocol clients (FamilyDevice for anything sealed
 * or signed, ApiClient for the rest), this browser's stores, and the one state snapshot the pages
 * read. Each domain file (session, family, toys, …) holds a reference to this and nothing global.
 */
import type { ApiClient, FamilyDevice } from '@burrow/client';
import type { IdbStore, MessageArchive } from '../../shared/idb-store.js';
import type { UploadTracker } from '../../shared/upload-fetch.js';
import { t } from '../../i18n/index.js';
import { initialState, type GuardianState } from './state.js';

/** This browser's IndexedDB database: keys, settings and the message archive. */
export const DB_NAME = 'burrow';

export class GuardianCore {
  private current: GuardianState;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly api: ApiClient,
    readonly device: FamilyDevice,
    readonly store: IdbStore,
    readonly archive: MessageArchive,
    readonly uploads: UploadTracker,
  ) {
    this.current = initialState(device.deviceId);
  }

  get state(): GuardianState {
    return this.current;
  }

  // --- store for React (useSyncExternalStore) ---

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): GuardianState => this.current;

  set(patch: Partial<GuardianState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** The family this browser acts in; family operations without one are a person's mistake to show. */
  requireFamily(): string {
    if (!this.current.familyId) throw new Error(t('devices.noFamily'));
    return this.current.familyId;
  }

  /** Re-reads this browser's archive into the state (after anything added or removed). */
  async reloadMessages(): Promise<void> {
    this.set({ messages: await this.archive.all() });
  }
}
