/**
 * The toy's side of the protocol, isomorphic so the headless toy (Node) and the browser simulator
 * share it: first-boot keys, registration, pairing, roster pinning, the play decision (§7), the
 * 5-slot queue of unplayed messages, and recording answers sealed to the family.
 */
import {
  advanceRoster,
  findDevice,
  formatPairingCode,
  fromBase64url,
  generatePairingCode,
  makeDeviceProof,
  pairingKey,
  parseEnvelope,
  parseRoster,
  secureRandom,
  toBase64url,
  toyAdmission,
  toyKeysTag,
  endorseRecoveryRoster,
  verifyRecoveryRoster,
  verifyRosterSelfSigned,
  verifyRosterTag,
  isQuietAt,
  parseToySettings,
  reviewAdmission,
  settingsVolume,
  verifyToySettings,
  ProtocolError,
  parseDeletion,
  verifyDeletion,
  acceptSuccessions,
  type Bytes,
  type DeviceKeys,
  type EnvelopeWire,
  type MessageMeta,
  type PairingCode,
  type RandomSource,
  type RosterWire,
  type ToySettingsWire,
} from '@burrow/protocol';
import { TOY_SYNC_DELETIONS, type ToySyncResponse } from '@burrow/api';
import type { ApiClient } from './api.js';
import { isApiError } from './api-error.js';
import { loadOrCreateKeys } from './device-keys.js';
import { sealAndSendVoice } from './kem-directory.js';
import { DEFAULT_ROTATION, kemKeyStatus, loadCurrentKemKey, maintainKemKeys, openWithHeldKeys, type KeyMaintenance, type RotationPolicy } from './kem-keyring.js';
import type { StateStore } from './store.js';
import { erasePreviousIdentities, openAsPrevious, previousIds, previousKemSecretCount } from './identity-renewal.js';
import { adoptToyRenewal, pendingToyRenewal, startToyRenewal, FORMER_IDS } from './toy-identity-renewal.js';
import { applyFavourites, dropFavourite, FAVOURITE_STORE_KEYS, keptFavourites, replayFavourite, type FavouriteContext, type FavouriteEvent, type KeptFavourite } from './toy-favourites.js';

/** The CloudPets toy held five messages; so does ours. Further ones wait on the server. */
export const TOY_SLOTS = 5;

/** An item of the inbox or the reviewed feed, as the toy pulls it. */
type PulledItem = { seq: number; envelope: EnvelopeWire; review?: unknown };
const MAX_SEEN = 10_000;

export type ToyEvent =
  | { type: 'registered'; toyId: string }
  | { type: 'pairing'; code: string; expiresAt: number }
  | { type: 'paired'; familyId: string; rosterVersion: number }
  | { type: 'roster'; version: number }
  | { type: 'roster_refused'; reason: string }
  | { type: 'queued'; messageId: string; unplayed: number }
  | { type: 'refused'; messageId: string; reason: string }
  | { type: 'played'; messageId: string; bytes: number }
  | { type: 'recorded'; messageId: string; bytes: number }
  | { type: 'key_rotated'; epoch: number }
  | { type: 'keys_erased'; epochs: number[] }
  | { type: 'key_record_refused'; deviceId: string; reason: string }
  /** A queued message dropped unplayed on its sender's or a guardian's signed instruction (§16). */
  | { type: 'dropped'; messageId: string; unplayed: number }
  | { type: 'deletion_refused'; messageId: string; reason: string }
  /** A device of the family renewed its identity (docs/protocol.md §17): its place passes to `to`. */
  | { type: 'succession'; from: string; to: string }
  | { type: 'succession_refused'; from: string; reason: string }
  /** This toy asked to renew its own identity (§17.6) and waits for a guardian's device. */
  | { type: 'renewal_requested'; from: string; to: string }
  /** A guardian's device performed it and the toy verified it: it now goes by `to`. */
  | { type: 'identity_renewed'; from: string; to: string }
  /** The server said it was performed, but what it showed did not verify: the toy keeps its identity. */
  | { type: 'renewal_refused'; reason: string }
  | FavouriteEvent;

interface QueuedMessage {
  envelope: EnvelopeWire;
  blob: string;
  /** The guardian's review it came with (§11), checked again at play time. */
  review?: unknown;
  /** The KEM key epoch it is sealed to (§14): that key is kept until the message is played. */
  epoch?: number;
  /** Set when it is addressed to an id this toy had before it renewed its identity (§17.6). */
  formerId?: string;
}

export interface ToyDeviceOptions {
  api: ApiClient;
  store: StateStore;
  random?: RandomSource;
  clock?: () => number;
  onEvent?: (event: ToyEvent) => void;
  /** When the toy rotates its KEM key and how long it keeps a retired one (default weekly, 2 days). */
  rotation?: RotationPolicy;
  /**
   * How often the toy asks to renew its identity key (docs/protocol.md §17.6), in ms; default off.
   * Forward secrecy comes from the weekly KEM rotation (§14): the identity key opens nothing, so
   * renewing it is a response to a suspected copy, or a maker's yearly policy, not a weekly chore.
   */
  identityRenewalMs?: number;
}

/** When the toy's current identity began (paired, or last renewed): the renewal schedule runs from it. */
const IDENTITY_SINCE = 'identitySince';

/** The toy's keys as its status display shows them (the simulator's key line, docs/protocol.md §14, §17.6). */
export interface ToyKeyStatus {
  /** The current message (KEM) key's epoch and when it was made (null: not rotated or checked yet). */
  kemEpoch: number;
  kemSince: number | null;
  /** Message-key secrets held: current, retired in their grace period, and a left identity's. */
  kemHeld: number;
  /** When the current identity began (null: the one it was paired with, and no schedule ran). */
  identitySince: number | null;
  /** A renewal this toy asked for waits for a guardian's device. */
  renewalPending: boolean;
}

export interface PlayedMessage {
  messageId: string;
  meta: MessageMeta;
  audio: Bytes;
  /** The speaker volume, 0-100, from the guardian-signed settings (§10). */
  volume: number;
}

export class ToyDevice {
  private pairing: { code: PairingCode; key: Bytes; expiresAt: number } | undefined;

  private constructor(
    readonly api: ApiClient,
    private readonly store: StateStore,
    /** Replaced only by reset(): an unpaired toy starts over with a new identity. */
    public keys: DeviceKeys,
    private readonly random: RandomSource,
    private readonly clock: () => number,
    private readonly emit: (event: ToyEvent) => void,
    private readonly rotation: RotationPolicy | undefined,
    private readonly identityRenewalMs: number | undefined,
  ) {}

  /** First boot generates the toy's own keys: there is no factory or default secret to leak. */
  static async open(options: ToyDeviceOptions): Promise<ToyDevice> {
    const random = options.random ?? secureRandom;
    const keys = await loadCurrentKemKey(options.store, (await loadOrCreateKeys(options.store, random)).keys);
    const toy = new ToyDevice(options.api, options.store, keys, random, options.clock ?? (() => Date.now()), options.onEvent ?? (() => undefined), options.rotation, options.identityRenewalMs);
    const token = await options.store.get<string>('token');
    if (token) options.api.token = token;
    return toy;
  }

  get toyId(): string {
    return this.keys.deviceId;
  }

  /** Registers the toy's public keys (proof of possession) and keeps the device token it gets back. */
  async register(): Promise<void> {
    if (await this.store.get<string>('token')) return;
    const { token } = await this.api.registerToy({
      signPublicKey: toBase64url(this.keys.signPublicKey),
      kemPublicKey: toBase64url(this.keys.kemPublicKey),
      proof: makeDeviceProof(this.keys, 'toy'),
    });
    this.api.token = token;
    await this.store.set('token', token);
    this.emit({ type: 'registered', toyId: this.toyId });
  }

  /**
   * The toy was unpaired (the server revoked its token, or said so on the stream): forget the family —
   * roster, queued messages, settings, cursors — and the toy's own keys and token, then register a new
   * identity, so it can be paired again and carries nothing of the old family (EN 303 645 5.11).
   * A server can cause this only by refusing the toy, which it can always do; re-pairing still needs
   * the button held and the code's secret.
   */
  async reset(): Promise<void> {
    this.pairing = undefined;
    for (const key of ['roster', 'queue', 'inboxCursor', 'reviewCursor', 'deletionCursor', 'settings', 'seen', 'token', 'keys', 'kemState', 'kemPins', 'successors', 'pendingIdentity', 'previousIdentities', FORMER_IDS, IDENTITY_SINCE, ...FAVOURITE_STORE_KEYS])
      await this.store.set(key, null);
    this.api.token = undefined;
    this.keys = (await loadOrCreateKeys(this.store, this.random)).keys;
    await this.register();
  }

  async roster(): Promise<RosterWire | undefined> {
    // null once reset() forgot it (a StateStore has no delete).
    return (await this.store.get<RosterWire | null>('roster')) ?? undefined;
  }

  async isPaired(): Promise<boolean> {
    return (await this.roster()) !== undefined;
  }

  async unplayedCount(): Promise<number> {
    return ((await this.store.get<QueuedMessage[]>('queue')) ?? []).length;
  }

  /**
   * The pairing button is held: make a fresh code, publish its lookup part and a MAC of our keys,
   * and return the code to show. The secret part stays in memory only.
   */
  async startPairing(): Promise<string> {
    await this.register();
    const code = generatePairingCode(this.random);
    const key = pairingKey(code);
    const tag = toyKeysTag(key, { toyId: this.keys.deviceId, signPublicKey: toBase64url(this.keys.signPublicKey), kemPublicKey: toBase64url(this.keys.kemPublicKey) });
    const { expiresAt } = await this.api.openPairing(code.lookup, tag);
    this.pairing = { code, key, expiresAt };
    const shown = formatPairingCode(code);
    this.emit({ type: 'pairing', code: shown, expiresAt });
    return shown;
  }

  get pairingCode(): string | undefined {
    return this.pairing ? formatPairingCode(this.pairing.code) : undefined;
  }

  cancelPairing(): void {
    this.pairing = undefined;
  }

  /**
   * Checks whether a guardian claimed us. The roster is accepted only if its MAC proves it came from
   * someone holding this code's secret, it is signed by a guardian it lists, and it lists our keys.
   */
  async checkPairing(): Promise<boolean> {
    const pairing = this.pairing;
    if (!pairing) return false;
    if (this.clock() > pairing.expiresAt) {
      this.pairing = undefined;
      return false;
    }
    const status = await this.api.getPairing();
    if (status.status !== 'claimed' || !status.roster || !status.rosterTag) return false;
    try {
      const roster = parseRoster(status.roster);
      verifyRosterTag(pairing.key, this.keys.deviceId, roster, status.rosterTag);
      verifyRosterSelfSigned(roster);
      const me = findDevice(roster, this.keys.deviceId);
      if (!me || me.role !== 'toy' || me.kemPublicKey !== toBase64url(this.keys.kemPublicKey) || me.signPublicKey !== toBase64url(this.keys.signPublicKey)) {
        throw new ProtocolError('not_authorized', 'The roster does not list this toy.');
      }
      const pinned = await this.roster();
      if (pinned && pinned.familyId === roster.familyId) {
        // Re-paired by its own family: a guardian recovering from lost devices (§5.1). Only a roster
        // that chains from ours and changes nothing but the guardian; the queue and cursors stay.
        verifyRecoveryRoster(pinned, roster);
        this.pairing = undefined;
        await this.store.set('roster', roster);
        // Our signature lets the family's other devices follow this step; they never saw the code.
        await this.api.endorseRecoveryRoster(endorseRecoveryRoster(this.keys, roster)).catch(() => undefined);
        this.emit({ type: 'roster', version: roster.version });
        return true;
      }
      this.pairing = undefined;
      await this.store.set('roster', roster);
      await this.store.set('queue', []);
      await this.store.set('inboxCursor', 0);
      await this.store.set('reviewCursor', 0);
      this.emit({ type: 'paired', familyId: roster.familyId, rosterVersion: roster.version });
      return true;
    } catch (err) {
      this.emit({ type: 'roster_refused', reason: err instanceof ProtocolError ? err.code : 'invalid' });
      return false;
    }
  }

  /** Accepts newer rosters only if each chains from the pinned one; otherwise keeps what it has. */
  async refreshRoster(prefetched?: readonly unknown[]): Promise<RosterWire | undefined> {
    const pinned = await this.roster();
    if (!pinned) return undefined;
    try {
      // `prefetched`: the rosters after the pinned version that a sync already brought.
      const rosters = prefetched ?? (await this.api.listRosters(pinned.familyId, pinned.version)).rosters;
      const fetched = rosters.map(parseRoster);
      const current = advanceRoster(pinned, fetched);
      if (current.version !== pinned.version) {
        await this.store.set('roster', current);
        this.emit({ type: 'roster', version: current.version });
        await this.learnSuccessions([pinned, ...fetched.filter((r) => r.version > pinned.version && r.version <= current.version)]);
      }
      return current;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.emit({ type: 'roster_refused', reason: err.code });
      return pinned;
    }
  }

  /**
   * Identity successions of the roster steps just verified (docs/protocol.md §17.3): each accepted
   * one passes a device's place to its successor here — a device under review stays under review
   * after it renews. One not countersigned by the guardian who signed the step, not cross-signed by
   * both identities, or replayed from another step is refused and changes nothing.
   */
  private async learnSuccessions(chain: RosterWire[]): Promise<void> {
    const first = chain[0];
    if (!first || chain.length < 2) return;
    let offered: unknown[];
    try {
      offered = (await this.api.listSuccessions(first.familyId, first.version)).successions;
    } catch {
      return; // withheld or offline: the toy keeps what it knew (a delay, never a wrong successor)
    }
    const { accepted, refused } = acceptSuccessions(chain, offered);
    for (const r of refused) this.emit({ type: 'succession_refused', from: r.from, reason: r.reason });
    if (accepted.length === 0) return;
    const successors = (await this.store.get<Record<string, string> | null>('successors')) ?? {};
    for (const s of accepted) {
      successors[s.from] = s.to;
      this.emit({ type: 'succession', from: s.from, to: s.to });
    }
    await this.store.set('successors', successors);
  }

  /**
   * The settings as the toy applies them: a device listed for review (§11) whose identity was renewed
   * (§17) is under review under every later id too.
   */
  private async effectiveSettings(settings: ToySettingsWire | null): Promise<ToySettingsWire | null> {
    if (settings?.v !== 2 || settings.review.length === 0) return settings;
    const successors = (await this.store.get<Record<string, string> | null>('successors')) ?? {};
    const review = new Set<string>(settings.review);
    for (const id of settings.review) {
      // Follow each chain of renewals; bounded, as each step names a distinct roster version.
      for (let next = successors[id], steps = 0; next && steps < 256 && !review.has(next); next = successors[next], steps++) review.add(next);
    }
    return { ...settings, review: [...review] as typeof settings.review };
  }

  /** The guardian-signed settings this toy holds (docs/protocol.md §10), or null. */
  async settings(): Promise<ToySettingsWire | null> {
    return (await this.store.get<ToySettingsWire>('settings')) ?? null;
  }

  /**
   * Fetches the toy's settings and keeps them only if a guardian of the roster held now signed them
   * and they are newer; otherwise keeps what it has. A server can withhold settings, not forge them.
   */
  async refreshSettings(roster: RosterWire, fetched?: { settings: unknown }): Promise<ToySettingsWire | null> {
    const held = await this.settings();
    try {
      // `fetched`: the settings a sync already brought.
      const { settings } = fetched ?? (await this.api.getMyToySettings());
      if (!settings) return held;
      const next = parseToySettings(settings);
      if (held && next.version === held.version && next.signature === held.signature) return held;
      verifyToySettings(next, roster, this.toyId, held);
      await this.store.set('settings', next);
      return next;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return held;
    }
  }

  /** The speaker volume (0-100) of the guardian-signed settings the toy holds. */
  async volume(): Promise<number> {
    return settingsVolume(await this.settings());
  }

  /** Whether the toy is in quiet hours now, by its own clock and its guardian-signed settings. */
  async isQuiet(): Promise<boolean> {
    return isQuietAt(await this.settings(), this.clock());
  }

  private async seen(): Promise<string[]> {
    return (await this.store.get<string[]>('seen')) ?? [];
  }

  /**
   * Pulls new envelopes while a slot is free, from the inbox and then from the messages guardians
   * approved after review (§11). Each is checked against the pinned roster (signature, sender with
   * may-send-to-toy, message id unseen, a guardian's review when its sender is under review) and its
   * blob against the signed hash before it takes a slot; refusals are reported and never played.
   */
  async sync(): Promise<number> {
    try {
      return await this.syncOnce();
    } catch (err) {
      // The server refuses our token. While a renewal is pending that is expected once a guardian's
      // device performed it: adopt the new identity (after verifying it) and sync as it.
      if (!isApiError(err, 'unauthenticated') || !(await this.renewalPending())) throw err;
      const adopted = await this.adoptRenewedIdentity();
      if (adopted === 'adopted') return this.syncOnce();
      // Refused: not unpaired (the new id is the family's), so the toy must not wipe itself.
      if (adopted === 'refused') throw new ProtocolError('not_authorized', 'The identity renewal the server shows does not verify.');
      throw err;
    }
  }

  // ---- Renewing the toy's own identity (docs/protocol.md §17.6) ----

  /**
   * Asks to renew the toy's Ed25519 identity (and so its id): new keys, registered, and a request both
   * identities sign, filed for a guardian's device to perform. The toy keeps its identity — and
   * works as before — until it has verified the change (`adoptRenewedIdentity`, run by sync).
   */
  async renewIdentity(): Promise<{ from: string; to: string }> {
    const roster = await this.roster();
    if (!roster) throw new ProtocolError('not_authorized', 'The toy is not paired.');
    const request = await startToyRenewal({ api: this.api, store: this.store, keys: this.keys, roster, random: this.random, now: this.clock() });
    this.emit({ type: 'renewal_requested', from: request.from, to: request.to });
    return { from: request.from, to: request.to };
  }

  async renewalPending(): Promise<boolean> {
    return (await pendingToyRenewal(this.store)) !== undefined;
  }

  /** What the toy's key line shows: the message key's age and count, the identity's age, a pending renewal. */
  async keyStatus(): Promise<ToyKeyStatus> {
    const kem = await kemKeyStatus(this.store);
    const since = await this.store.get<number | null>(IDENTITY_SINCE);
    return {
      kemEpoch: kem.epoch,
      kemSince: kem.since,
      kemHeld: kem.held + (await previousKemSecretCount(this.store)),
      identitySince: typeof since === 'number' ? since : null,
      renewalPending: await this.renewalPending(),
    };
  }

  /** Switches to the renewed identity once the change is published and verifies (§17.3). */
  async adoptRenewedIdentity(): Promise<'adopted' | 'not_performed' | 'refused'> {
    const pinned = await this.roster();
    if (!pinned) return 'not_performed';
    const result = await adoptToyRenewal({
      api: this.api,
      store: this.store,
      keys: this.keys,
      pinned,
      now: this.clock(),
      onRefused: (from, reason) => this.emit({ type: 'succession_refused', from, reason }),
    });
    if (result.status === 'refused') this.emit({ type: 'renewal_refused', reason: result.reason });
    if (result.status !== 'adopted') return result.status;
    this.keys = await loadCurrentKemKey(this.store, result.keys);
    await this.store.set(IDENTITY_SINCE, this.clock());
    // Queued messages were opened under the old id: they stay addressed to it (and its KEM keys).
    const queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
    await this.store.set('queue', queue.map((m) => (m.formerId || m.envelope.recipients.some((r) => r.deviceId === result.to) ? m : { ...m, formerId: result.from })));
    this.emit({ type: 'roster', version: result.roster.version });
    this.emit({ type: 'identity_renewed', from: result.from, to: result.to });
    await this.learnSuccessions(result.chain);
    return 'adopted';
  }

  /**
   * Asks for a renewal once the schedule's interval has passed since the identity began (off unless
   * `identityRenewalMs` is set). One request at a time: a pending one waits for a guardian's device.
   */
  private async renewOnSchedule(): Promise<void> {
    if (!this.identityRenewalMs) return;
    const now = this.clock();
    const since = await this.store.get<number | null>(IDENTITY_SINCE);
    if (typeof since !== 'number') {
      await this.store.set(IDENTITY_SINCE, now);
      return;
    }
    if (now - since < this.identityRenewalMs || (await this.renewalPending())) return;
    // Offline or refused: asked again on a later sync; the toy works on under its identity.
    await this.renewIdentity().catch(() => undefined);
  }

  /** The id an envelope is addressed to: this toy's, else one it had before a renewal (§17.4). */
  private async addressedAs(envelope: EnvelopeWire): Promise<string> {
    if (envelope.recipients.some((r) => r.deviceId === this.toyId)) return this.toyId;
    const former = await previousIds(this.store);
    return former.find((id) => envelope.recipients.some((r) => r.deviceId === id)) ?? this.toyId;
  }

  private openQueued(envelope: EnvelopeWire, blob: Bytes, formerId: string | undefined) {
    return formerId ? openAsPrevious(this.store, this.keys, envelope, blob) : openWithHeldKeys(this.store, this.keys, envelope, blob);
  }

  private async syncOnce(): Promise<number> {
    const pinned = await this.roster();
    if (!pinned) return 0;
    // One round trip for what a wake-up needs (GET /v1/toys/me/sync); a part that comes back full is
    // paged on with its own route. A server without the route (404) is asked part by part.
    const free = TOY_SLOTS - ((await this.store.get<QueuedMessage[]>('queue')) ?? []).length;
    const limit = Math.max(1, free);
    const snapshot = await this.api
      .syncToy({
        rosterAfter: pinned.version,
        deletionsAfter: (await this.store.get<number | null>('deletionCursor')) ?? 0,
        inboxAfter: (await this.store.get<number>('inboxCursor')) ?? 0,
        reviewedAfter: (await this.store.get<number>('reviewCursor')) ?? 0,
        favouritesAfter: (await this.store.get<number | null>('favouriteCursor')) ?? 0,
        limit,
      })
      .catch((err: unknown) => {
        if (isApiError(err, 'not_found')) return undefined;
        throw err;
      });
    const roster = await this.refreshRoster(snapshot?.rosters);
    if (!roster) return 0;
    await this.maintainKeys();
    await this.renewOnSchedule();
    await this.applyDeletions(roster, snapshot?.deletions);
    await this.applyFavourites(roster, snapshot?.favourites);
    const settings = await this.refreshSettings(roster, snapshot);
    // Quiet hours: new messages wait on the server and the heart stays dark until the hours end.
    if (isQuietAt(settings, this.clock())) return 0;
    const ctx = { roster, settings: await this.effectiveSettings(settings) };
    let added = await this.pull('inboxCursor', (after, n) => this.api.listMessages(after, n), ctx, snapshot && { messages: snapshot.inbox.messages, limit });
    added += await this.pull('reviewCursor', (after, n) => this.api.listReviewedMessages(after, n), ctx, snapshot && { messages: snapshot.reviewed, limit });
    return added;
  }

  /**
   * Drops queued messages their sender or a guardian deleted (docs/protocol.md §16): each instruction
   * past the cursor that names a queued message is verified against the roster held now (signed by a
   * device it lists, the message's sender or a guardian); a forged or unauthorised one is refused
   * and the message stays. Instructions for messages the toy does not hold change nothing: the
   * server deleted those before the toy fetched them.
   */
  async applyDeletions(roster: RosterWire, fetched?: readonly { seq: number; instruction: unknown }[]): Promise<number> {
    let cursor = (await this.store.get<number | null>('deletionCursor')) ?? 0;
    let dropped = 0;
    // `fetched`: the first page a sync already brought (TOY_SYNC_DELETIONS at most).
    let first = fetched;
    for (;;) {
      const deletions = first ?? (await this.api.listToyDeletions(cursor, TOY_SYNC_DELETIONS)).deletions;
      first = undefined;
      const fresh = deletions.filter((d) => Number.isSafeInteger(d.seq) && d.seq > cursor);
      if (fresh.length === 0) break;
      for (const item of fresh) {
        const queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
        const messageId = String((item.instruction as { messageId?: unknown } | null)?.messageId);
        const held = queue.find((m) => m.envelope.id === messageId);
        const favourite = held ? undefined : (await keptFavourites(this.store)).find((f) => f.messageId === messageId);
        if (favourite) {
          // A deleted message stops being a favourite too, on the same signed instruction.
          try {
            verifyDeletion(parseDeletion(item.instruction), favourite.envelope, roster);
            await dropFavourite(this.store, messageId);
            this.emit({ type: 'favourite_released', messageId, kept: (await keptFavourites(this.store)).length });
          } catch (err) {
            this.emit({ type: 'deletion_refused', messageId, reason: err instanceof ProtocolError ? err.code : 'invalid' });
          }
        }
        if (held) {
          try {
            verifyDeletion(parseDeletion(item.instruction), held.envelope, roster);
            const left = queue.filter((m) => m !== held);
            await this.store.set('queue', left);
            dropped++;
            this.emit({ type: 'dropped', messageId, unplayed: left.length });
          } catch (err) {
            this.emit({ type: 'deletion_refused', messageId, reason: err instanceof ProtocolError ? err.code : 'invalid' });
          }
        }
        cursor = item.seq;
        await this.store.set('deletionCursor', cursor);
      }
      // A page shorter than asked is the last: no extra round trip to learn that nothing is left.
      if (deletions.length < TOY_SYNC_DELETIONS) break;
    }
    return dropped;
  }

  private favouriteContext(): FavouriteContext {
    return {
      api: this.api,
      store: this.store,
      keys: this.keys,
      clock: this.clock,
      emit: this.emit,
      queuedBlob: async (messageId) => {
        const queued = ((await this.store.get<QueuedMessage[]>('queue')) ?? []).find((m) => m.envelope.id === messageId);
        return queued ? fromBase64url(queued.blob) : undefined;
      },
    };
  }

  /** Keeps or lets go the favourites guardians asked for (docs/protocol.md §18; toy-favourites.ts). */
  applyFavourites(roster: RosterWire, fetched?: ToySyncResponse['favourites']): Promise<number> {
    return applyFavourites(this.favouriteContext(), roster, fetched);
  }

  /** The favourites this toy keeps, oldest first (at most FAVOURITE_SLOTS). */
  favourites(): Promise<KeptFavourite[]> {
    return keptFavourites(this.store);
  }

  /**
   * The paw gesture: replays the newest favourite, then on each press the one before (cycling).
   * Not during quiet hours, like any playing; nothing is deleted or reported to the server.
   */
  async replayFavourite(): Promise<PlayedMessage | undefined> {
    const roster = await this.refreshRoster();
    const settings = roster ? await this.refreshSettings(roster) : await this.settings();
    if (isQuietAt(settings, this.clock())) return undefined;
    const played = await replayFavourite(this.favouriteContext(), roster);
    return played ? { ...played, volume: settingsVolume(settings) } : undefined;
  }

  /** Drains one feed past its cursor while a slot is free. */
  private async pull(
    cursorKey: 'inboxCursor' | 'reviewCursor',
    list: (after: number, limit: number) => Promise<{ messages: PulledItem[] }>,
    ctx: { roster: RosterWire; settings: ToySettingsWire | null },
    fetched?: { messages: PulledItem[]; limit: number },
  ): Promise<number> {
    let queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
    let cursor = (await this.store.get<number>(cursorKey)) ?? 0;
    let added = 0;
    // `fetched`: the first page a sync already brought, asked with `limit`.
    let first = fetched;
    while (queue.length < TOY_SLOTS) {
      const requested = first ? first.limit : TOY_SLOTS - queue.length;
      const page = first ?? (await list(cursor, requested));
      first = undefined;
      // Only items past the cursor count; a server that repeats a page cannot keep the toy looping.
      const fresh = page.messages.filter((item) => Number.isSafeInteger(item.seq) && item.seq > cursor);
      if (fresh.length === 0) break;
      for (const item of fresh) {
        const seen = await this.seen();
        let envelope: EnvelopeWire;
        try {
          envelope = parseEnvelope(item.envelope);
        } catch {
          this.emit({ type: 'refused', messageId: String((item.envelope as { id?: unknown }).id), reason: 'malformed' });
          cursor = item.seq;
          await this.store.set(cursorKey, cursor);
          continue;
        }
        const review = item.review ?? null;
        const as = await this.addressedAs(envelope);
        const formerId = as === this.toyId ? undefined : as;
        const admit = () => toyAdmission(envelope, ctx.roster, as, (id) => seen.includes(id), { settings: ctx.settings, review, ...(formerId ? { renewedId: this.toyId } : {}) });
        let refusal: string | null = admit();
        if (refusal === 'stale_roster') {
          ctx.roster = (await this.refreshRoster()) ?? ctx.roster;
          refusal = admit();
        }
        if (!refusal) {
          try {
            const blob = await this.api.downloadMessageBlob(envelope.id);
            // Checks the hash and that it decrypts, with the current key or a retired one still held.
            if (formerId) {
              await openAsPrevious(this.store, this.keys, envelope, blob);
              queue.push({ envelope, blob: toBase64url(blob), formerId, ...(review ? { review } : {}) });
            } else {
              const { epoch } = await openWithHeldKeys(this.store, this.keys, envelope, blob);
              queue.push({ envelope, blob: toBase64url(blob), epoch, ...(review ? { review } : {}) });
            }
            added++;
          } catch (err) {
            refusal = err instanceof ProtocolError && err.code === 'hash_mismatch' ? 'hash_mismatch' : 'undecryptable';
          }
        }
        if (refusal) {
          this.emit({ type: 'refused', messageId: envelope.id, reason: refusal });
        } else {
          await this.store.set('seen', [...seen, envelope.id].slice(-MAX_SEEN));
          this.emit({ type: 'queued', messageId: envelope.id, unplayed: queue.length });
          await this.api.sendReceipt(envelope.id, 'delivered').catch(() => undefined);
        }
        cursor = item.seq;
        await this.store.set('queue', queue);
        await this.store.set(cursorKey, cursor);
        if (queue.length >= TOY_SLOTS) break;
      }
      queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
      if (page.messages.length < requested) break; // the last page: nothing more to ask for
    }
    return added;
  }

  /**
   * Plays the oldest unplayed message. The sender is checked again against the roster held now, so a
   * message queued before its sender was blocked does not play.
   */
  async playNext(): Promise<PlayedMessage | undefined> {
    const roster = await this.refreshRoster();
    const settings = roster ? await this.refreshSettings(roster) : await this.settings();
    if (isQuietAt(settings, this.clock())) return undefined;
    const queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
    for (let next = queue.shift(); next; next = queue.shift()) {
      await this.store.set('queue', queue);
      const sender = roster && findDevice(roster, next.envelope.sender);
      if (!roster || !sender?.sendToToy || sender.role === 'toy') {
        this.emit({ type: 'refused', messageId: next.envelope.id, reason: 'sender_removed' });
        continue;
      }
      // Review (§11) again against the roster and settings held now: a guardian removed since, or
      // review turned on since the message was queued, keeps it from playing without a valid review.
      const reviewRefusal = reviewAdmission(next.envelope, roster, next.formerId ?? this.toyId, { settings: await this.effectiveSettings(settings), review: next.review ?? null, ...(next.formerId ? { renewedId: this.toyId } : {}) });
      if (reviewRefusal) {
        this.emit({ type: 'refused', messageId: next.envelope.id, reason: reviewRefusal });
        continue;
      }
      const { meta, payload } = await this.openQueued(next.envelope, fromBase64url(next.blob), next.formerId);
      const audio = payload ?? new Uint8Array(0);
      this.emit({ type: 'played', messageId: next.envelope.id, bytes: audio.length });
      await this.api.sendReceipt(next.envelope.id, 'played').catch(() => undefined);
      return { messageId: next.envelope.id, meta, audio, volume: settingsVolume(settings) };
    }
    return undefined;
  }

  /**
   * Seals the child's recording to every roster device allowed to hear the child and to every
   * guardian device (guardians hear everything said by their child, docs/protocol.md §7), and sends it.
   * The roster the toy holds decides who is a guardian, so a server cannot add a listener.
   */
  async record(audio: Bytes, meta: MessageMeta = {}): Promise<string> {
    const roster = await this.refreshRoster();
    if (!roster) throw new ProtocolError('not_authorized', 'The toy is not paired.');
    const listeners = roster.devices.filter((d) => d.role !== 'toy' && (d.hearChild || d.role === 'guardian')).map((d) => d.id);
    if (listeners.length === 0) throw new ProtocolError('not_authorized', 'Nobody in the family may hear the child.');
    // Sealed to each listener's newest key the toy has verified (§14.2), sealed again after a 409.
    const messageId = await sealAndSendVoice({
      api: this.api,
      store: this.store,
      roster,
      deviceIds: listeners,
      sender: this.keys,
      meta,
      audio,
      clock: this.clock,
      random: this.random,
      onRefused: (deviceId, reason) => this.emit({ type: 'key_record_refused', deviceId, reason }),
      hiddenKey: 'A listener has a newer key the server does not show.',
    });
    this.emit({ type: 'recorded', messageId, bytes: audio.length });
    return messageId;
  }

  /**
   * Rotates the toy's KEM key on schedule, publishes the new key's signed record and erases retired
   * keys past their grace period that no queued message is sealed to (docs/protocol.md §14.3). Runs
   * on every sync while paired; `force` rotates now.
   */
  async maintainKeys(options: { force?: boolean } = {}): Promise<KeyMaintenance | undefined> {
    if (!(await this.isPaired())) return undefined;
    const queue = (await this.store.get<QueuedMessage[]>('queue')) ?? [];
    // A queued message whose epoch is unknown (queued before rotation existed) was opened with the key
    // current then: keep every retired key until it has played.
    const inUse = new Set(queue.filter((m) => !m.formerId).map((m) => m.epoch ?? -1));
    // The old identity's KEM secrets go after the grace period, once no queued message needs them.
    if (!queue.some((m) => m.formerId)) await erasePreviousIdentities(this.store, this.clock(), (this.rotation ?? DEFAULT_ROTATION).graceMs);
    const result = await maintainKemKeys({
      store: this.store,
      api: this.api,
      keys: this.keys,
      random: this.random,
      now: this.clock(),
      ...(this.rotation ? { policy: this.rotation } : {}),
      inUse: (epoch) => inUse.has(epoch) || inUse.has(-1),
      ...(options.force ? { force: true } : {}),
    });
    this.keys = result.keys;
    if (result.rotated) this.emit({ type: 'key_rotated', epoch: result.epoch });
    if (result.erased.length > 0) this.emit({ type: 'keys_erased', epochs: result.erased });
    return result;
  }
}
