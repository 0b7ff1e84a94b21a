/**
 * Keeps a device's view of a family roster current: fetches versions newer than the one it holds and
 * accepts them only if each chains from the last (docs/protocol.md §4.3). The pinned roster survives
 * restarts in the device's store, so a server cannot roll a device back.
 */
import { advanceRoster, parseRoster, verifyRosterGenesis, type RosterWire } from '@burrow/protocol';
import type { ApiClient } from './api.js';
import type { StateStore } from './store.js';

const key = (familyId: string) => `roster:${familyId}`;

export async function pinnedRoster(store: StateStore, familyId: string): Promise<RosterWire | undefined> {
  return store.get<RosterWire>(key(familyId));
}

export async function pinRoster(store: StateStore, roster: RosterWire): Promise<void> {
  await store.set(key(roster.familyId), roster);
}

/**
 * Brings the pinned roster up to date. With nothing pinned, the device starts from the genesis roster
 * (trust on first use; a guardian's device pins its own genesis when it creates the family).
 */
export async function refreshRoster(api: ApiClient, store: StateStore, familyId: string): Promise<RosterWire> {
  const pinned = await pinnedRoster(store, familyId);
  const { rosters } = await api.listRosters(familyId, pinned ? pinned.version : 0);
  const fetched = rosters.map(parseRoster);
  let start = pinned;
  let rest = fetched;
  if (!start) {
    const genesis = fetched[0];
    if (!genesis) throw new Error('The family has no roster yet.');
    verifyRosterGenesis(genesis);
    start = genesis;
    rest = fetched.slice(1);
  }
  const current = advanceRoster(start, rest);
  if (current !== pinned) await pinRoster(store, current);
  return current;
}
