/**
 * Roster storage and the server-side checks a roster must pass beyond its signature chain: every
 * device it lists is one the server knows, with the keys the server knows, so messages are routed
 * only to real devices. The signature and chain checks themselves are @burrow/protocol's.
 */
import { findDevice, type RosterWire } from '@burrow/protocol';
import { topics, type Bus } from '../bus/index.js';
import type { Db } from '../db/index.js';
import { compiledStatement } from '../db/compiled.js';
import { factName, noFact, type FactQuery } from '../db/facts.js';
import { deleteDevice, devicesByIds, ownerlessDevices } from '../devices/store.js';
import { badRequest } from '../errors/index.js';
import { markRemoved } from '../invitations/store.js';
import { forgetRecipient } from '../messages/store.js';
import { familiesMentioning, insertRoster, memberAccountIds, replaceMembers } from './store.js';

export { insertRoster };

export interface StoredRoster {
  version: number;
  roster: RosterWire;
}

// The current roster's reads, on every send (messages/roster-cache.ts): compiled once (issue #11).
const latestRow = compiledStatement(1, (db, familyId: string) =>
  db.selectFrom('rosters').select(['version', 'roster', 'roster_hash']).where('family_id', '=', familyId).orderBy('version', 'desc').limit(1),
);
const latestHead = compiledStatement(1, (db, familyId: string) =>
  db.selectFrom('rosters').select(['version', 'roster_hash']).where('family_id', '=', familyId).orderBy('version', 'desc').limit(1),
);

export async function currentRoster(db: Db, familyId: string): Promise<StoredRoster | undefined> {
  const row = await latestRow.first(db, familyId);
  // Stored only after verification, so it is trusted as-is.
  return row && { version: row.version, roster: JSON.parse(row.roster) as RosterWire };
}

/** The current roster with its stored hash (the hash of exactly this version's signed content). */
export async function currentRosterWithHash(db: Db, familyId: string): Promise<(StoredRoster & { hash: string }) | undefined> {
  const row = await latestRow.first(db, familyId);
  return row && { version: row.version, hash: row.roster_hash, roster: JSON.parse(row.roster) as RosterWire };
}

/**
 * The current roster's version and hash without its body: enough to tell whether a roster already
 * parsed is still the current one (a few bytes from the (family_id, version) key, no JSON to parse).
 */
export async function currentRosterHead(db: Db, familyId: string): Promise<{ version: number; hash: string } | undefined> {
  const row = await latestHead.first(db, familyId);
  return row && { version: row.version, hash: row.roster_hash };
}

/**
 * The current roster's head as one fact row 'roster' (id: its stored hash, n: its version; no row:
 * no such family), for a combined read (messages/send-facts.ts; the roster cache compares it).
 */
export function rosterHeadFact(db: Db, familyId: string): FactQuery {
  return db
    .selectFrom('rosters')
    .select([factName('roster').as('fact'), 'roster_hash as id', 'version as n', noFact().as('s')])
    .where('family_id', '=', familyId)
    .where('version', '=', (eb) =>
      eb.selectFrom('rosters as newest').select((e) => e.fn.max('newest.version').as('v')).where('newest.family_id', '=', familyId),
    );
}

export async function rosterAt(db: Db, familyId: string, version: number): Promise<RosterWire | undefined> {
  const row = await db
    .selectFrom('rosters')
    .select('roster')
    .where('family_id', '=', familyId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && (JSON.parse(row.roster) as RosterWire);
}

/**
 * Membership follows the roster: an account is a member while one of its devices is listed, and a
 * guardian while one of them is listed as guardian.
 */
export async function syncMembers(db: Db, roster: RosterWire): Promise<void> {
  const people = roster.devices.filter((d) => d.role !== 'toy');
  const rows = (await devicesByIds(db, people.map((d) => d.id))).filter((r) => r.kind === 'person');
  const roles = new Map<string, 'guardian' | 'member'>();
  for (const row of rows) {
    if (row.account_id === null) continue;
    const listed = people.find((d) => d.id === row.id);
    if (listed?.role === 'guardian') roles.set(row.account_id, 'guardian');
    else if (!roles.has(row.account_id)) roles.set(row.account_id, 'member');
  }
  // People no longer listed lose their admission: coming back takes a new invitation.
  const before = await memberAccountIds(db, roster.familyId);
  const gone = before.filter((a) => !roles.has(a));
  await markRemoved(db, roster.familyId, gone);
  await replaceMembers(db, roster.familyId, roles);
  await forgetDroppedOwnerless(db, roster);
}

/**
 * Devices of a deleted account stay registered (public keys only, owned by nobody) while a roster
 * lists them, because only a guardian's signature can take them out (erasure/account.ts). When this
 * roster drops one and no other family's current roster lists it, it is deleted now.
 */
async function forgetDroppedOwnerless(db: Db, roster: RosterWire): Promise<void> {
  if (roster.version <= 1) return;
  const previous = await rosterAt(db, roster.familyId, roster.version - 1);
  if (!previous) return;
  const dropped = previous.devices.filter((d) => d.role !== 'toy' && !findDevice(roster, d.id)).map((d) => d.id);
  for (const deviceId of await ownerlessDevices(db, dropped)) {
    if (await listedElsewhere(db, deviceId, roster.familyId)) continue;
    await forgetRecipient(db, deviceId);
    await deleteDevice(db, deviceId);
  }
}

/** Whether a current roster of a family other than `familyId` lists the device. */
export async function listedElsewhere(db: Db, deviceId: string, familyId: string): Promise<boolean> {
  for (const other of await familiesMentioning(db, deviceId, familyId)) {
    const current = await currentRoster(db, other);
    if (current && findDevice(current.roster, deviceId)) return true;
  }
  return false;
}

/**
 * Every device a roster lists must be registered with exactly the listed keys: people's devices as
 * person devices, toys as toys of this family (or the toy being claimed by this roster).
 */
export async function checkRosterDevices(
  db: Db,
  roster: RosterWire,
  opts: { claimingToyId?: string; creatorAccountId?: string } = {},
): Promise<void> {
  const ids = roster.devices.map((d) => d.id);
  const rows = await devicesByIds(db, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const d of roster.devices) {
    const row = byId.get(d.id);
    const wantKind = d.role === 'toy' ? 'toy' : 'person';
    if (!row || row.kind !== wantKind)
      throw badRequest('roster_device_unknown',
        `The roster lists ${d.id}, which is not a registered ${wantKind === 'toy' ? 'toy' : 'device'}.`,
      );
    if (row.sign_public_key !== d.signPublicKey || row.kem_public_key !== d.kemPublicKey) {
      throw badRequest('roster_keys_mismatch', `The roster's keys for ${d.id} are not the device's registered keys.`);
    }
    if (d.role === 'toy' && row.family_id !== roster.familyId && d.id !== opts.claimingToyId) {
      throw badRequest('roster_toy_not_paired', `The roster lists toy ${d.id}, which is not paired to this family.`);
    }
  }
  const accounts = new Set(rows.flatMap((r) => (r.kind === 'person' && r.account_id !== null ? [r.account_id] : [])));
  await checkConsent(db, roster.familyId, accounts, opts.creatorAccountId);
}

/**
 * Nobody becomes a member without consent: a person's devices may be listed only if their account is
 * already a member, or asked to join (redeemed an invitation) and a guardian approved the request.
 * A new family lists only its creator's devices. A blocked account is never listed.
 */
async function checkConsent(
  db: Db,
  familyId: string,
  accounts: Set<string>,
  creatorAccountId: string | undefined,
): Promise<void> {
  if (accounts.size === 0) return;
  if (creatorAccountId !== undefined) {
    if ([...accounts].some((a) => a !== creatorAccountId))
      throw badRequest('roster_creator_only', "A new family's roster lists only the creator's own devices; invite the others.");
    return;
  }
  const ids = [...accounts];
  const blocked = await db
    .selectFrom('family_blocks')
    .select('account_id')
    .where('family_id', '=', familyId)
    .where('account_id', 'in', ids)
    .execute();
  if (blocked.length > 0)
    throw badRequest('roster_lists_blocked', 'The roster lists a device of an account this family blocked; unblock it first.');
  const members = await db
    .selectFrom('family_members')
    .select('account_id')
    .where('family_id', '=', familyId)
    .where('account_id', 'in', ids)
    .execute();
  const approved = await db
    .selectFrom('join_requests')
    .select('account_id')
    .where('family_id', '=', familyId)
    .where('account_id', 'in', ids)
    .where('status', '=', 'approved')
    .execute();
  const admitted = new Set([...members, ...approved].map((r) => r.account_id));
  if (ids.some((a) => !admitted.has(a)))
    throw badRequest('roster_lists_non_member',
      'The roster lists a device of someone who is not a member; invite them and approve their request first.',
    );
}

/** Publishes a roster change to the family, and to devices it newly lists (not yet subscribed). */
export function announceRoster(bus: Bus, roster: RosterWire, previous: RosterWire | undefined): void {
  const event = { type: 'roster', familyId: roster.familyId, version: roster.version } as const;
  bus.publish(topics.family(roster.familyId), event);
  for (const d of roster.devices) {
    if (!previous || !findDevice(previous, d.id)) bus.publish(topics.device(d.id), event);
  }
}

/** The signer must be the device making the request: a guardian acts only as itself. */
export function checkSignedByCaller(roster: RosterWire, deviceId: string): void {
  if (roster.signer !== deviceId)
    throw badRequest('signer_not_caller', 'The roster must be signed by the device making this request.');
}
