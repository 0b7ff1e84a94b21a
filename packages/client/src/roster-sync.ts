/**
 * Keeps a device's view of a family roster current: fetches versions newer than the one it holds and
 * accepts them only if each chains from the last (docs/protocol.md §4.3). The pinned roster survives
 * restarts in the device's store, so a server cannot roll a device back.
 */
import { isProtocolError, parseRoster, verifyRecoveryStep, verifyRosterGenesis, verifyRosterSuccessor, type DeviceId, type RecoveryEndorsement, type RosterWire } from '@burrow/protocol';
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
  const current = await advanceWithRecoveries(api, familyId, start, rest);
  if (current !== pinned) await pinRoster(store, current);
  return current;
}

/**
 * Walks the successors like the protocol's advanceRoster (§4.3), except that a step no guardian of
 * the previous version signed is taken if it is a recovery step a toy of the family vouched for
 * (§5.1): the guardian lost every device and re-paired with the toy in hand.
 */
async function advanceWithRecoveries(api: ApiClient, familyId: string, pinned: RosterWire, successors: readonly RosterWire[]): Promise<RosterWire> {
  let current = pinned;
  let endorsements: RecoveryEndorsement[] | undefined;
  for (const next of successors) {
    if (next.version <= current.version) continue;
    try {
      verifyRosterSuccessor(current, next);
    } catch (err) {
      if (!isProtocolError(err) || err.code !== 'not_authorized') throw err;
      endorsements ??= (await api.listRecoveryEndorsements(familyId)).endorsements.map((e) => ({ ...e, toyId: e.toyId as DeviceId }));
      verifyRecoveryStep(current, next, endorsements);
    }
    current = next;
  }
  return current;
}
