/**
 * Favourites on the toy (docs/protocol.md §18): a guardian's device signs an instruction to keep a
 * message on a toy (or let it go); the server checks what it can — a guardian device of the roster
 * signed it, the caller is that device, the message was sent to that toy and is still here, the toy
 * has a free slot — keeps it, and wakes the toy, which verifies it again against its own roster.
 * The server cannot make a toy keep or replay anything: it holds no signature of its own that a toy accepts.
 */
import { FAVOURITE_SLOTS, findDevice, isProtocolError, parseEnvelope, parseFavourite, verifyFavouriteSignature, type EnvelopeWire, type FavouriteWire } from '@burrow/protocol';
import type { AccountPrincipal, ToyPrincipal } from '../auth/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import { badRequest, conflict, forbidden, notFound } from '../errors/index.js';
import { asGuardianOfExistingFamily, requireGuardian } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { successionsAfter } from '../devices/index.js';
import { envelopesOf } from '../messages/store.js';
import { favouritesAfter, insertFavourite, keptFavourites } from './store.js';

export interface Favourites {
  setFavourite(caller: AccountPrincipal & { deviceId: string }, familyId: string, json: unknown): Promise<{ toyId: string; kept: number; slots: number }>;
  listFavourites(accountId: string, familyId: string): Promise<{ slots: number; favourites: { toyId: string; messageId: string; keptAt: number }[] }>;
  listToyFavourites(toy: ToyPrincipal, after: number, limit: number): Promise<{ seq: number; instruction: FavouriteWire; envelope: EnvelopeWire | null }[]>;
}

/** `deviceId` and every id the family's published successions lead to it from (its former ids). */
async function idsLeadingTo(db: Db, familyId: string, deviceId: string): Promise<Set<string>> {
  const ids = new Set([deviceId]);
  const successions = await successionsAfter(db, familyId, 0);
  // Newest first: each renewal's `from` became its `to`.
  for (const s of successions.reverse()) if (ids.has(s.to)) ids.add(s.from);
  return ids;
}

export function createFavourites({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }): Favourites {
  /** Parses and checks an instruction before anything is stored; every refusal is a 4xx that changes nothing. */
  async function check(caller: AccountPrincipal & { deviceId: string }, familyId: string, json: unknown): Promise<FavouriteWire> {
    await requireGuardian(db, familyId, caller.accountId);
    let favourite: FavouriteWire;
    try {
      favourite = parseFavourite(json);
    } catch (err) {
      if (isProtocolError(err)) throw badRequest('record_malformed', `The favourite instruction is malformed (${err.code}).`);
      throw err;
    }
    if (favourite.familyId !== familyId) throw badRequest('wrong_family', 'The favourite instruction names another family.');
    const device = favourite.signer === caller.deviceId ? await deviceById(db, caller.deviceId) : undefined;
    if (!device || !verifyFavouriteSignature(favourite, device.sign_public_key))
      throw badRequest('signer_not_caller', 'The favourite instruction is not signed by this device.');
    const roster = (await currentRoster(db, familyId))?.roster;
    // The toy obeys only a guardian device of its roster: refuse here what it would refuse.
    if (!roster || findDevice(roster, caller.deviceId)?.role !== 'guardian')
      throw forbidden('guardian_device_required', "Only a guardian device of the family's roster can keep favourites on a toy.");
    if (findDevice(roster, favourite.toyId)?.role !== 'toy') throw badRequest('toy_not_in_family', 'That is not a toy of this family.');
    const stored = (await envelopesOf(db, familyId, [favourite.messageId])).get(favourite.messageId);
    if (!stored) throw notFound('message_not_found', 'No such message (it may have been deleted or expired).');
    const envelope = JSON.parse(stored) as EnvelopeWire;
    // Sent to this toy, or to an id it had before it renewed its identity (§17.6: sealed before the change).
    const ids = await idsLeadingTo(db, familyId, favourite.toyId);
    if (!envelope.recipients.some((r) => ids.has(r.deviceId))) throw badRequest('message_not_for_toy', 'That message was not sent to this toy.');
    return favourite;
  }

  return {
    async setFavourite(caller, familyId, json) {
      const favourite = await check(caller, familyId, json);
      const keptOnToy = (await keptFavourites(db, familyId)).filter((f) => f.toyId === favourite.toyId);
      const already = keptOnToy.some((f) => f.messageId === favourite.messageId);
      if (favourite.keep && !already && keptOnToy.length >= FAVOURITE_SLOTS)
        throw conflict('favourites_full', `This toy keeps ${String(FAVOURITE_SLOTS)} favourites: let one go before keeping another.`, { slots: FAVOURITE_SLOTS });
      // With the family locked against its erasure: one that commits meanwhile is a 404, not a foreign-key 500.
      await asGuardianOfExistingFamily(db, familyId, caller.accountId, (trx) =>
        insertFavourite(trx, {
          familyId,
          toyId: favourite.toyId,
          messageId: favourite.messageId,
          keep: favourite.keep,
          instructionJson: JSON.stringify(favourite),
          createdAt: clock.now(),
        }),
      );
      bus.publish(topics.device(favourite.toyId), { type: 'favourite', toyId: favourite.toyId });
      bus.publish(topics.family(familyId), { type: 'favourite', toyId: favourite.toyId });
      const kept = keptOnToy.length + (favourite.keep && !already ? 1 : 0) - (!favourite.keep && already ? 1 : 0);
      return { toyId: favourite.toyId, kept, slots: FAVOURITE_SLOTS };
    },

    async listFavourites(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      return { slots: FAVOURITE_SLOTS, favourites: await keptFavourites(db, familyId) };
    },

    async listToyFavourites(toy, after, limit) {
      // An unpaired toy keeps nothing of a family.
      if (toy.familyId === null) return [];
      const rows = await favouritesAfter(db, toy.familyId, toy.toyId, after, limit);
      const envelopes = await envelopesOf(db, toy.familyId, rows.map((r) => r.messageId));
      return rows.map((r) => {
        const stored = envelopes.get(r.messageId);
        // Stored only after the checks above; the toy verifies each again against its roster.
        return { seq: r.seq, instruction: JSON.parse(r.instructionJson) as FavouriteWire, envelope: stored ? parseEnvelope(JSON.parse(stored)) : null };
      });
    },
  };
}
