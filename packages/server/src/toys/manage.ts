/**
 * What a family does with its paired toys: list them (sealed name, presence, unplayed count), rename
 * one (a sealed record only family devices can open — a display name is family data, DESIGN.md), and
 * unpair one. Unpairing is a roster without the toy, signed by a guardian's device; the server then
 * forgets the toy (its credentials, pairing, settings, name and presence), deletes its queued
 * envelopes, and tells the toy, which wipes itself and can be paired again (docs/safety.md).
 */
import {
  findDevice,
  fromBase64url,
  parseEnvelope,
  parseRoster,
  rosterHash,
  verifyEnvelopeSignature,
  verifyRosterSuccessor,
  type EnvelopeWire,
} from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isUniqueViolation, type Db } from '../db/index.js';
import { badRequest, conflict, forbidden, notFound } from '../errors/index.js';
import { requireGuardian, requireMember } from '../families/access.js';
import { checkRosterDevices, checkSignedByCaller, currentRoster, insertRoster, syncMembers } from '../families/rosters.js';
import { announceRoster, type Actor } from '../families/service.js';
import { blobKey } from '../messages/service.js';
import { readPresence } from '../stream/presence.js';

export interface FamilyToy {
  toyId: string;
  childId: string | null;
  /** The sealed name record, or null when the toy was never named. */
  name: EnvelopeWire | null;
  online: boolean;
  lastSeenAt: number | null;
  /** Messages addressed to the toy that it has not played yet (waiting on the server or in its slots). */
  unplayed: number;
}

export interface ToyManagement {
  listToys(accountId: string, familyId: string): Promise<FamilyToy[]>;
  renameToy(actor: Actor, familyId: string, toyId: string, nameJson: unknown): Promise<void>;
  unpairToy(actor: Actor, familyId: string, toyId: string, rosterJson: unknown): Promise<{ version: number }>;
}

const noSuchToy = () => notFound('No such toy in this family.');

export function createToyManagement({
  db,
  blobs,
  bus,
  clock,
  log,
}: {
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  log: Logger;
}): ToyManagement {
  async function requireFamilyToy(familyId: string, toyId: string): Promise<void> {
    const toy = await db
      .selectFrom('devices')
      .select('id')
      .where('id', '=', toyId)
      .where('kind', '=', 'toy')
      .where('family_id', '=', familyId)
      .executeTakeFirst();
    if (!toy) throw noSuchToy();
  }

  return {
    async listToys(accountId, familyId) {
      await requireMember(db, familyId, accountId);
      const toys = await db
        .selectFrom('devices')
        .leftJoin('toy_names', 'toy_names.toy_id', 'devices.id')
        .select(['devices.id', 'devices.child_id', 'toy_names.name_ciphertext'])
        .where('devices.family_id', '=', familyId)
        .where('devices.kind', '=', 'toy')
        .orderBy('devices.created_at')
        .orderBy('devices.id')
        .execute();
      const ids = toys.map((t) => t.id);
      const presence = await readPresence(db, ids, clock.now());
      const counts =
        ids.length === 0
          ? []
          : await db
              .selectFrom('message_recipients as mr')
              .innerJoin('messages as m', 'm.seq', 'mr.message_seq')
              .leftJoin('receipts as r', (join) =>
                join
                  .onRef('r.message_seq', '=', 'mr.message_seq')
                  .onRef('r.device_id', '=', 'mr.device_id')
                  .on('r.kind', '=', 'played'),
              )
              .select(['mr.device_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
              .where('mr.device_id', 'in', ids)
              .where('m.family_id', '=', familyId)
              .where('r.message_seq', 'is', null)
              .groupBy('mr.device_id')
              .execute();
      const unplayed = new Map(counts.map((c) => [c.device_id, Number(c.n)]));
      return toys.map((t) => ({
        toyId: t.id,
        childId: t.child_id,
        name: t.name_ciphertext === null ? null : (JSON.parse(t.name_ciphertext) as EnvelopeWire),
        online: presence.get(t.id)?.online ?? false,
        lastSeenAt: presence.get(t.id)?.lastSeenAt ?? null,
        unplayed: unplayed.get(t.id) ?? 0,
      }));
    },

    async renameToy(actor, familyId, toyId, nameJson) {
      await requireGuardian(db, familyId, actor.accountId);
      await requireFamilyToy(familyId, toyId);
      const record = parseEnvelope(nameJson);
      if (record.kind !== 'record') throw badRequest('A toy name is a sealed record (kind "record").');
      if (record.familyId !== familyId) throw badRequest('The name record belongs to another family.');
      if (record.sender !== actor.deviceId)
        throw badRequest('The name record must be sealed by the device making this request.');
      const current = await currentRoster(db, familyId);
      const sender = current && findDevice(current.roster, actor.deviceId);
      if (!current || sender?.role !== 'guardian')
        throw forbidden('This device is not a guardian in the family roster.');
      if (!verifyEnvelopeSignature(record, fromBase64url(sender.signPublicKey, 32)))
        throw badRequest('The name record signature does not verify.');
      for (const r of record.recipients) {
        const d = findDevice(current.roster, r.deviceId);
        if (!d || d.role === 'toy') throw badRequest(`Recipient ${r.deviceId} is not a person's device in the family roster.`);
      }
      const row = { family_id: familyId, name_ciphertext: JSON.stringify(record), updated_at: clock.now() };
      await db
        .insertInto('toy_names')
        .values({ toy_id: toyId, ...row })
        .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
        .execute();
      bus.publish(topics.family(familyId), { type: 'toys', familyId });
    },

    async unpairToy(actor, familyId, toyId, rosterJson) {
      await requireGuardian(db, familyId, actor.accountId);
      await requireFamilyToy(familyId, toyId);
      const next = parseRoster(rosterJson);
      if (next.familyId !== familyId) throw badRequest('The roster belongs to another family.');
      const current = await currentRoster(db, familyId);
      if (!current) throw notFound('No such family.');
      verifyRosterSuccessor(current.roster, next, nativeVerify);
      checkSignedByCaller(next, actor.deviceId);
      // Exactly the current devices without the toy: unpairing changes nothing else in the family.
      const expected = current.roster.devices.filter((d) => d.id !== toyId).map((d) => d.id).sort();
      const listed = next.devices.map((d) => d.id).sort();
      if (findDevice(next, toyId) || expected.join() !== listed.join())
        throw badRequest('The roster must list the same devices as the current one, without the toy.');
      await checkRosterDevices(db, next);

      let orphanBlobs: string[] = [];
      try {
        await db.transaction().execute(async (trx) => {
          await insertRoster(trx, next, rosterHash(next), clock.now());
          await syncMembers(trx, next);
          // The toy's queue: envelopes addressed to it, and messages nobody else can fetch any more.
          const queued = await trx
            .selectFrom('message_recipients')
            .select('message_seq')
            .where('device_id', '=', toyId)
            .execute();
          await trx.deleteFrom('message_recipients').where('device_id', '=', toyId).execute();
          const seqs = queued.map((q) => q.message_seq);
          if (seqs.length > 0) {
            const orphans = await trx
              .selectFrom('messages')
              .select(['seq', 'blob_hash'])
              .where('seq', 'in', seqs)
              .where((eb) =>
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('message_recipients')
                      .select('device_id')
                      .whereRef('message_recipients.message_seq', '=', 'messages.seq'),
                  ),
                ),
              )
              .execute();
            if (orphans.length > 0) {
              await trx.deleteFrom('messages').where('seq', 'in', orphans.map((o) => o.seq)).execute();
              orphanBlobs = orphans.flatMap((o) => (o.blob_hash === null ? [] : [o.blob_hash]));
            }
          }
          // Its credentials, pairing, settings, name, presence and tickets go with its device row.
          await trx.deleteFrom('devices').where('id', '=', toyId).execute();
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('The roster changed meanwhile; fetch the latest and try again.');
        throw err;
      }
      await deleteUnreferencedBlobs(familyId, orphanBlobs);
      bus.publish(topics.device(toyId), { type: 'unpaired' });
      announceRoster(bus, next, current.roster);
      bus.publish(topics.family(familyId), { type: 'toys', familyId });
      return { version: next.version };
    },
  };

  /** Blob ciphertext of deleted messages, unless another message still points at the same bytes. */
  async function deleteUnreferencedBlobs(familyId: string, hashes: string[]): Promise<void> {
    for (const hash of new Set(hashes)) {
      const used = await db
        .selectFrom('messages')
        .select('seq')
        .where('family_id', '=', familyId)
        .where('blob_hash', '=', hash)
        .executeTakeFirst();
      if (used) continue;
      try {
        await db.deleteFrom('blobs').where('family_id', '=', familyId).where('hash', '=', hash).execute();
        await blobs.delete(blobKey(familyId, hash));
      } catch (err) {
        // The rows are gone; a blob left behind is unreadable ciphertext, logged for the operator.
        log.warn({ err }, 'unpair: could not delete a blob');
      }
    }
  }
}
