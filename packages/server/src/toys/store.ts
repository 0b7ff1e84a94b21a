/**
 * The owner (STYLE.md 13) of the toy tables: `pairings` (each toy's current or last pairing window),
 * `toy_settings` (the latest guardian-signed settings record) and `toy_names` (a sealed display
 * name). The toy's own row is the `devices` table's (devices/store.ts). Every function takes the
 * database or a transaction, so callers can write in their own transaction.
 */
import type { Db } from '../db/index.js';
import { compiledInList } from '../db/compiled.js';
import { factName, noFact, type FactQuery } from '../db/facts.js';

/** How long a toy's pairing window stays open. */
export const PAIRING_WINDOW_MS = 10 * 60 * 1000;

/** A pairing window as the toy opened it: the server-visible lookup and the toy's keys tag. */
export interface PairingWindow {
  lookup: string;
  keysTag: string;
  openedAt: number;
  expiresAt: number;
}

/**
 * Opens (or re-opens) a toy's pairing window. A lookup held by another toy's closed or expired window
 * is freed first; returns false, writing nothing more, when another toy's open window holds it.
 * A concurrent opener of the same lookup fails on the unique index (the caller maps it).
 */
export async function openPairingWindow(db: Db, toyId: string, window: PairingWindow): Promise<boolean> {
  const now = window.openedAt;
  await db
    .updateTable('pairings')
    .set({ lookup: null })
    .where('lookup', '=', window.lookup)
    .where('toy_id', '!=', toyId)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('claimed_at', 'is not', null)]))
    .execute();
  const taken = await db
    .selectFrom('pairings')
    .select('toy_id')
    .where('lookup', '=', window.lookup)
    .where('toy_id', '!=', toyId)
    .executeTakeFirst();
  if (taken) return false;
  const row = {
    lookup: window.lookup,
    keys_tag: window.keysTag,
    opened_at: window.openedAt,
    expires_at: window.expiresAt,
    claimed_at: null,
    family_id: null,
    roster_version: null,
    roster_tag: null,
  };
  await db
    .insertInto('pairings')
    .values({ toy_id: toyId, ...row })
    .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
    .execute();
  return true;
}

/**
 * Closes the open window `lookup` of `toyId` as claimed by `familyId` with the roster that admitted
 * it. Returns false when that window is no longer open (claimed or re-opened meanwhile).
 */
export async function closePairingWindow(
  db: Db,
  toyId: string,
  lookup: string,
  claim: { familyId: string; rosterVersion: number; rosterTag: string; claimedAt: number },
): Promise<boolean> {
  const closed = await db
    .updateTable('pairings')
    .set({
      lookup: null,
      claimed_at: claim.claimedAt,
      family_id: claim.familyId,
      roster_version: claim.rosterVersion,
      roster_tag: claim.rosterTag,
    })
    .where('toy_id', '=', toyId)
    .where('lookup', '=', lookup)
    .where('claimed_at', 'is', null)
    .executeTakeFirst();
  return closed.numUpdatedRows > 0n;
}

/** Stores a toy's latest verified settings record (replacing the one before). */
export async function putToySettings(
  db: Db,
  toyId: string,
  familyId: string,
  settings: { version: number; json: string; updatedAt: number },
): Promise<void> {
  const row = { family_id: familyId, version: settings.version, settings: settings.json, updated_at: settings.updatedAt };
  await db
    .insertInto('toy_settings')
    .values({ toy_id: toyId, ...row })
    .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
    .execute();
}

/** Stores a toy's sealed name record (replacing the one before). */
export async function putToyName(
  db: Db,
  toyId: string,
  familyId: string,
  name: { ciphertext: string; updatedAt: number },
): Promise<void> {
  const row = { family_id: familyId, name_ciphertext: name.ciphertext, updated_at: name.updatedAt };
  await db
    .insertInto('toy_names')
    .values({ toy_id: toyId, ...row })
    .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
    .execute();
}

/** The sealed name records of these toys, by toy id (toys never named are absent). */
export async function toyNames(db: Db, toyIds: readonly string[]): Promise<Map<string, string>> {
  if (toyIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('toy_names')
    .select(['toy_id', 'name_ciphertext'])
    .where('toy_id', 'in', [...toyIds])
    .execute();
  return new Map(rows.map((r) => [r.toy_id, r.name_ciphertext]));
}

/** The stored settings JSON of these toys, by toy id (toys without settings are absent). */
export async function toySettingsOf(db: Db, toyIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await settingsOf.all(db, toyIds);
  return new Map(rows.map((r) => [r.toy_id, r.settings]));
}

/**
 * The stored settings JSON of these toys, as fact rows 'settings' (id: the toy, s: the JSON; toys
 * without settings have none): the send's review-hold check reads it in its combined read
 * (messages/send-facts.ts, review/hold.ts).
 */
export function settingsFacts(db: Db, toyIds: readonly string[]): FactQuery {
  return db
    .selectFrom('toy_settings')
    .select([factName('settings').as('fact'), 'toy_id as id', noFact().as('n'), 'settings as s'])
    .where('toy_id', 'in', toyIds as string[]);
}

// Read by the toy's settings and the sent list: compiled once per list length (issue #11).
const settingsOf = compiledInList(0, (db, toyIds) =>
  db.selectFrom('toy_settings').select(['toy_id', 'settings']).where('toy_id', 'in', toyIds as string[]),
);

/** Deletes a family's toy rows — pairings, settings, names (family deletion, erasure/; before the toys' devices). */
export async function deleteFamilyToyRows(db: Db, familyId: string): Promise<void> {
  await db.deleteFrom('toy_settings').where('family_id', '=', familyId).execute();
  await db.deleteFrom('toy_names').where('family_id', '=', familyId).execute();
  await db.deleteFrom('pairings').where('family_id', '=', familyId).execute();
}

/** A toy renewed its identity (docs/protocol.md §17.6): its settings and sealed name rows follow it. */
export async function moveToyRows(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  await db.updateTable('toy_settings').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
  await db.updateTable('toy_names').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
}
