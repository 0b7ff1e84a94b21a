/**
 * The `devices` table's owner (STYLE.md 13): the only module that inserts, updates or deletes its
 * rows, and the place other capabilities read devices through. A person's device belongs to an
 * account; a toy has a bearer-token hash and, once claimed, a family and a child.
 *
 * Every function takes the database or a transaction (`Db`), so a caller can write devices in the
 * same transaction as its own tables.
 */
import { SqliteAdapter } from 'kysely';
import type { Db, DevicesTable } from '../db/index.js';
import { factName, noFact, type FactQuery } from '../db/facts.js';

/** The public halves of a device's keys, base64url, as registered. */
export interface DeviceKeysRow {
  id: string;
  signPublicKey: string;
  kemPublicKey: string;
}

/** Registers a person's device to an account (fails on the primary key when the id is taken). */
export async function insertPersonDevice(
  db: Db,
  device: DeviceKeysRow & { accountId: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('devices')
    .values({
      id: device.id,
      kind: 'person',
      account_id: device.accountId,
      sign_public_key: device.signPublicKey,
      kem_public_key: device.kemPublicKey,
      token_hash: null,
      family_id: null,
      child_id: null,
      created_at: device.createdAt,
    })
    .execute();
}

/** Registers an unpaired toy with the SHA-256 hex of its bearer token (fails when the id is taken). */
export async function insertToyDevice(
  db: Db,
  toy: DeviceKeysRow & { tokenHash: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('devices')
    .values({
      id: toy.id,
      kind: 'toy',
      account_id: null,
      sign_public_key: toy.signPublicKey,
      kem_public_key: toy.kemPublicKey,
      token_hash: toy.tokenHash,
      family_id: null,
      child_id: null,
      created_at: toy.createdAt,
    })
    .execute();
}

/** A claimed toy now belongs to `familyId` and plays for `childId`. */
export async function assignToyToFamily(db: Db, toyId: string, familyId: string, childId: string): Promise<void> {
  await db.updateTable('devices').set({ family_id: familyId, child_id: childId }).where('id', '=', toyId).execute();
}

/** A toy renewed its identity (docs/protocol.md §17.6): its new row takes the old one's family and child. */
export async function takeToyPlacement(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  const old = await db.selectFrom('devices').select(['family_id', 'child_id']).where('id', '=', fromToyId).where('kind', '=', 'toy').executeTakeFirst();
  if (!old) return;
  await db.updateTable('devices').set({ family_id: old.family_id, child_id: old.child_id }).where('id', '=', toToyId).where('kind', '=', 'toy').execute();
}

/**
 * The first step of taking devices away (deleting them, or detaching them from an erased account):
 * their rows locked FOR UPDATE, in id order (PostgreSQL; SQLite's transaction holds the one write
 * lock already). A send queues a message only for devices it holds FOR KEY SHARE (messages/store.ts
 * insertMessage), which this waits for: the queue the caller drops next then includes what that send
 * queued, and a send that comes after waits for the commit and skips the device.
 */
export async function lockDevicesForRemoval(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0 || db.getExecutor().adapter instanceof SqliteAdapter) return;
  await db.selectFrom('devices').select('id').where('id', 'in', [...ids]).orderBy('id').forUpdate().execute();
}

/** Forgets a device; rows that reference it go with it (foreign keys cascade). */
export async function deleteDevice(db: Db, deviceId: string): Promise<void> {
  await db.deleteFrom('devices').where('id', '=', deviceId).execute();
}

/** The whole row, or undefined. */
export async function deviceById(db: Db, deviceId: string): Promise<DevicesTable | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
}

/** Rows for these ids (those that exist), in no particular order. */
export async function devicesByIds(db: Db, ids: readonly string[]): Promise<DevicesTable[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('devices').selectAll().where('id', 'in', [...ids]).execute();
}

/** The family a device is paired to (toys), or null; undefined when there is no such device. */
export async function familyOfDevice(db: Db, deviceId: string): Promise<string | null | undefined> {
  const row = await db.selectFrom('devices').select('family_id').where('id', '=', deviceId).executeTakeFirst();
  return row?.family_id;
}

/** Whether `toyId` is a toy paired to `familyId`. */
export async function isFamilyToy(db: Db, familyId: string, toyId: string): Promise<boolean> {
  const row = await db
    .selectFrom('devices')
    .select('id')
    .where('id', '=', toyId)
    .where('kind', '=', 'toy')
    .where('family_id', '=', familyId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Of `ids`, the devices paired to `familyId`, as fact rows 'paired' (id: the device): the send's
 * check that every recipient toy is paired to the family, in its combined read (messages/send-facts.ts).
 */
export function pairedFacts(db: Db, ids: readonly string[], familyId: string): FactQuery {
  return db
    .selectFrom('devices')
    .select([factName('paired').as('fact'), 'id', noFact().as('n'), noFact().as('s')])
    .where('id', 'in', ids as string[])
    .where('family_id', '=', familyId);
}

/** The family's toys, by id or oldest first (then by id). */
export async function toysOfFamily(
  db: Db,
  familyId: string,
  order: 'id' | 'oldest-first',
): Promise<{ id: string; child_id: string | null }[]> {
  let query = db.selectFrom('devices').select(['id', 'child_id']).where('family_id', '=', familyId).where('kind', '=', 'toy');
  if (order === 'oldest-first') query = query.orderBy('created_at');
  return query.orderBy('id').execute();
}

/** The person devices of these accounts, oldest first (then by id). */
export async function personDevicesOf(db: Db, accountIds: readonly string[]): Promise<DevicesTable[]> {
  if (accountIds.length === 0) return [];
  return db
    .selectFrom('devices')
    .selectAll()
    .where('kind', '=', 'person')
    .where('account_id', 'in', [...accountIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Ids of every device of an account (its people's devices). */
export async function deviceIdsOfAccount(db: Db, accountId: string): Promise<string[]> {
  const rows = await db.selectFrom('devices').select('id').where('account_id', '=', accountId).execute();
  return rows.map((r) => r.id);
}

/**
 * An account was deleted while a family's roster still lists this device of it: the device keeps
 * only its public keys, owned by nobody, until a guardian signs the roster without it
 * (`deleteOwnerlessDevices`). Meanwhile no session can act as it and no membership follows from it.
 */
export async function detachFromAccount(db: Db, deviceId: string): Promise<void> {
  await db.updateTable('devices').set({ account_id: null }).where('id', '=', deviceId).where('kind', '=', 'person').execute();
}

/**
 * The query `ownerlessDevices` runs: by primary key only. The account filter is applied to its few
 * rows afterwards, because `account_id IS NULL` in the WHERE let SQLite plan it on devices_account_id
 * after ANALYZE, where every toy's row is a NULL to scan (CloudPets size: 4.98× the empty p50 for
 * GET /v1/families/:id). A test checks the plan on both engines (store.test.ts).
 */
export function ownerlessDevicesQuery(db: Db, ids: readonly string[]) {
  return db.selectFrom('devices').select(['id', 'account_id']).where('id', 'in', [...ids]).where('kind', '=', 'person');
}

/** Of `ids`, the person devices whose account was deleted (`detachFromAccount`). */
export async function ownerlessDevices(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ownerlessDevicesQuery(db, ids).execute();
  return rows.filter((r) => r.account_id === null).map((r) => r.id);
}
