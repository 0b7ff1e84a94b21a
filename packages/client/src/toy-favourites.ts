/**
 * The toy's favourites (docs/protocol.md §18): messages a guardian asked it to keep, replayed by a
 * paw gesture. Kept apart from the queue of unplayed messages, so playing and the queue's housekeeping
 * never drop them. The toy keeps a favourite's opened audio, not its ciphertext: a kept message then
 * needs no retired KEM key, and rotation still erases old keys (§14.3).
 */
import {
  FAVOURITE_SLOTS,
  findDevice,
  fromBase64url,
  parseEnvelope,
  parseFavourite,
  toBase64url,
  toyAdmission,
  verifyFavourite,
  ProtocolError,
  type Bytes,
  type DeviceKeys,
  type EnvelopeWire,
  type FavouriteWire,
  type MessageMeta,
  type RosterWire,
} from '@burrow/protocol';
import { TOY_SYNC_FAVOURITES, type ToySyncResponse } from '@burrow/api';
import type { ApiClient } from './api.js';
import { openAsPrevious } from './identity-renewal.js';
import { openWithHeldKeys } from './kem-keyring.js';
import type { StateStore } from './store.js';
import { formerToyIds } from './toy-identity-renewal.js';

/** A favourite as the toy keeps it. */
export interface KeptFavourite {
  messageId: string;
  envelope: EnvelopeWire;
  /** The guardian's instruction, verified again before every replay. */
  instruction: FavouriteWire;
  meta: MessageMeta;
  /** The opened audio, base64url. */
  audio: string;
  keptAt: number;
}

export type FavouriteEvent =
  | { type: 'favourite_kept'; messageId: string; kept: number }
  | { type: 'favourite_released'; messageId: string; kept: number }
  /** slots_full, unavailable (the server no longer has it), stale (older than one applied), or a verification code. */
  | { type: 'favourite_refused'; messageId: string; reason: string }
  | { type: 'replayed'; messageId: string; bytes: number };

/** The store keys this module owns (forgotten when the toy is reset). */
export const FAVOURITE_STORE_KEYS = ['favourites', 'favouriteCursor', 'favouriteStamps', 'favouriteTurn'] as const;

export interface FavouriteContext {
  api: ApiClient;
  store: StateStore;
  keys: DeviceKeys;
  clock: () => number;
  emit: (event: FavouriteEvent) => void;
  /** The queued (unplayed) message with this id, if the toy holds it: its blob saves a download. */
  queuedBlob: (messageId: string) => Promise<Bytes | undefined>;
}

export async function keptFavourites(store: StateStore): Promise<KeptFavourite[]> {
  return (await store.get<KeptFavourite[] | null>('favourites')) ?? [];
}

/**
 * Applies the toy's favourite instructions past its cursor. Each must verify against the roster held
 * now (a guardian of it signed it, for this toy) and be newer than the last one applied for its
 * message, so a server can neither forge one nor replay an old "keep" over a later "let go". To keep,
 * the message must be a voice message to this toy from a sender the roster allows, its blob must
 * match the signed hash and open, and a slot must be free.
 */
export async function applyFavourites(ctx: FavouriteContext, roster: RosterWire, fetched?: ToySyncResponse['favourites']): Promise<number> {
  const { api, store, emit } = ctx;
  let cursor = (await store.get<number | null>('favouriteCursor')) ?? 0;
  let changed = 0;
  // `fetched`: the first page the toy's sync already brought (TOY_SYNC_FAVOURITES at most).
  let first = fetched;
  for (;;) {
    const page = first ?? (await api.listToyFavourites(cursor, TOY_SYNC_FAVOURITES)).favourites;
    first = undefined;
    const fresh = page.filter((item) => Number.isSafeInteger(item.seq) && item.seq > cursor);
    if (fresh.length === 0) break;
    for (const item of fresh) {
      const messageId = String((item.instruction as { messageId?: unknown } | null)?.messageId);
      const refusal = await applyOne(ctx, roster, item.instruction, item.envelope).catch((err: unknown) =>
        err instanceof ProtocolError ? err.code : 'invalid',
      );
      if (refusal === null) changed++;
      else emit({ type: 'favourite_refused', messageId, reason: refusal });
      cursor = item.seq;
      await store.set('favouriteCursor', cursor);
    }
    // A page shorter than asked is the last: no extra round trip to learn that nothing is left.
    if (page.length < TOY_SYNC_FAVOURITES) break;
  }
  return changed;
}

/** Returns null when applied, else why not. */
async function applyOne(ctx: FavouriteContext, roster: RosterWire, json: unknown, envelopeJson: unknown): Promise<string | null> {
  const { store, keys, emit } = ctx;
  const instruction = parseFavourite(json);
  verifyFavourite(instruction, roster, keys.deviceId);
  const stamps = (await store.get<Record<string, number> | null>('favouriteStamps')) ?? {};
  const last = stamps[instruction.messageId];
  if (last !== undefined && instruction.issuedAt <= last) return 'stale';
  const kept = await keptFavourites(store);
  const held = kept.find((f) => f.messageId === instruction.messageId);
  if (!instruction.keep) {
    const left = kept.filter((f) => f !== held);
    await store.set('favouriteStamps', { ...stamps, [instruction.messageId]: instruction.issuedAt });
    if (held) {
      await store.set('favourites', left);
      emit({ type: 'favourite_released', messageId: instruction.messageId, kept: left.length });
    }
    return null;
  }
  if (held) {
    await store.set('favouriteStamps', { ...stamps, [instruction.messageId]: instruction.issuedAt });
    return null;
  }
  if (kept.length >= FAVOURITE_SLOTS) return 'slots_full';
  if (envelopeJson === null || envelopeJson === undefined) return 'unavailable';
  const envelope = parseEnvelope(envelopeJson);
  if (envelope.id !== instruction.messageId) return 'not_authorized';
  // A message sealed to an id this toy had before it renewed its identity (§17.6) is addressed to
  // it too: the instruction names the toy's id now, the envelope the id it was sent to.
  const former = (await formerToyIds(store)).filter((id) => envelope.recipients.some((r) => r.deviceId === id));
  const as = envelope.recipients.some((r) => r.deviceId === keys.deviceId) ? keys.deviceId : (former.at(-1) ?? keys.deviceId);
  // The checks of first delivery (§7) except "new to the toy": a favourite is usually one it played.
  // A guardian's signed favourite stands in for a review (§11): the guardian heard it and chose it.
  const refusal = toyAdmission(envelope, roster, as, () => false);
  if (refusal) return refusal;
  const blob = (await ctx.queuedBlob(envelope.id)) ?? (await ctx.api.downloadMessageBlob(envelope.id));
  // Under a former id it opens with that identity's KEM keys, kept for the grace period (§17.4).
  const { meta, payload } = as === keys.deviceId ? await openWithHeldKeys(store, keys, envelope, blob) : await openAsPrevious(store, keys, envelope, blob);
  const next: KeptFavourite[] = [
    ...kept,
    { messageId: envelope.id, envelope, instruction, meta, audio: toBase64url(payload ?? new Uint8Array(0)), keptAt: ctx.clock() },
  ];
  await store.set('favourites', next);
  await store.set('favouriteStamps', { ...stamps, [instruction.messageId]: instruction.issuedAt });
  // The next paw gesture starts again with the newest favourite.
  await store.set('favouriteTurn', 0);
  emit({ type: 'favourite_kept', messageId: envelope.id, kept: next.length });
  return null;
}

/**
 * The paw gesture: replays the newest favourite, and on each further press the one before it,
 * cycling. Each is checked again against the roster held now — its sender still may make the toy
 * speak, its guardian still is one — so a favourite of a removed sender or guardian is not replayed.
 */
export async function replayFavourite(ctx: FavouriteContext, roster: RosterWire | undefined): Promise<{ messageId: string; meta: MessageMeta; audio: Bytes } | undefined> {
  const { store, keys, emit } = ctx;
  if (!roster) return undefined;
  // A favourite kept before the toy renewed its identity (§17.6) names the id the toy had then.
  const ownIds = [keys.deviceId as string, ...(await formerToyIds(store))];
  const usable = (await keptFavourites(store)).filter((f) => {
    const sender = findDevice(roster, f.envelope.sender);
    if (!sender?.sendToToy || sender.role === 'toy') return false;
    try {
      verifyFavourite(f.instruction, roster, ownIds.includes(f.instruction.toyId) ? f.instruction.toyId : keys.deviceId);
      return true;
    } catch {
      return false;
    }
  });
  if (usable.length === 0) return undefined;
  const turn = (await store.get<number | null>('favouriteTurn')) ?? 0;
  const chosen = usable[usable.length - 1 - (turn % usable.length)]!;
  await store.set('favouriteTurn', turn + 1);
  const audio = fromBase64url(chosen.audio);
  emit({ type: 'replayed', messageId: chosen.messageId, bytes: audio.length });
  return { messageId: chosen.messageId, meta: chosen.meta, audio };
}

/** A verified deletion (§16) of a kept favourite: the toy forgets it. */
export async function dropFavourite(store: StateStore, messageId: string): Promise<boolean> {
  const kept = await keptFavourites(store);
  const left = kept.filter((f) => f.messageId !== messageId);
  if (left.length === kept.length) return false;
  await store.set('favourites', left);
  return true;
}
