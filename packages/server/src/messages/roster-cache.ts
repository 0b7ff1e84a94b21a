/**
 * The family's current roster for the send path, parsed once per roster version rather than on every
 * send (issue #11: each send read the whole signed roster and parsed its JSON).
 *
 * Never stale for an authorisation decision: every call still asks the database which roster is
 * current (its version and stored hash, one small read on the primary key), and the kept parse is used
 * only when both match it. A row of `rosters` is never changed once written (families/store.ts
 * inserts verified versions; only family deletion removes them), and the hash is of that version's
 * exact signed content, so a matching (version, hash) is the same roster byte for byte as the row the
 * database holds now. A new version, a deleted family or a replaced row all fail the match: the
 * cache then reads the current row afresh, as the send path did before. The kept copy lives in this
 * process only, so another node's roster change is seen the same way, through the database.
 */
import type { RosterWire } from '@burrow/protocol';
import type { Db } from '../db/index.js';
import { currentRosterHead, currentRosterWithHash, type StoredRoster } from '../families/rosters.js';

/** Families whose parsed roster is kept; least recently used out. */
export const ROSTER_CACHE_SIZE = 1024;

/** The current roster's version and stored hash, as the database answered them. */
export interface RosterHead {
  version: number;
  hash: string;
}

export interface RosterCache {
  /** The family's current roster, as the database holds it at this call; undefined: no such family. */
  current(familyId: string): Promise<StoredRoster | undefined>;
  /**
   * The same, given the head the caller just read itself (the send reads it in its combined read,
   * send-facts.ts; undefined: no roster, no such family): no read on a hit, the whole row on a miss.
   */
  atHead(familyId: string, head: RosterHead | undefined): Promise<StoredRoster | undefined>;
}

export function createRosterCache(db: Db, size = ROSTER_CACHE_SIZE): RosterCache {
  const kept = new Map<string, { version: number; hash: string; roster: RosterWire }>();
  async function atHead(familyId: string, head: RosterHead | undefined): Promise<StoredRoster | undefined> {
    if (!head) {
      kept.delete(familyId);
      return undefined;
    }
    const hit = kept.get(familyId);
    if (hit && hit.version === head.version && hit.hash === head.hash) {
      // Most recently used last: a Map iterates in insertion order.
      kept.delete(familyId);
      kept.set(familyId, hit);
      return { version: hit.version, roster: hit.roster };
    }
    // Changed since (or never read): the whole current row, read now. Kept under its own version
    // and hash, which a later call compares with the database's again.
    const fresh = await currentRosterWithHash(db, familyId);
    kept.delete(familyId);
    if (!fresh) return undefined;
    // Shared by every later send of this version: frozen, so no caller can change what the next one reads.
    for (const device of fresh.roster.devices) Object.freeze(device);
    Object.freeze(fresh.roster.devices);
    Object.freeze(fresh.roster);
    kept.set(familyId, fresh);
    if (kept.size > size) kept.delete(kept.keys().next().value as string);
    return { version: fresh.version, roster: fresh.roster };
  }
  return {
    current: async (familyId) => atHead(familyId, await currentRosterHead(db, familyId)),
    atHead,
  };
}
