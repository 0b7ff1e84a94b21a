/**
 * A person's device in a family (a guardian's or a member's browser, a CLI): signs up or logs in,
 * registers its own keys, creates the family and its genesis roster, adds children, claims toys with
 * their pairing code, sends sealed voice messages and opens the ones addressed to it.
 * The web app, the demo and the tests all drive Burrow through this class.
 */
import {
  childProfileMeta,
  readChildProfile,
  type ChildProfile,
  familyAdmission,
  findDevice,
  makeDeviceProof,
  newFamilyId,
  newMessageId,
  nextRosterBody,
  pairingKey,
  parseEnvelope,
  parsePairingCode,
  rosterEntry,
  rosterTag,
  sealEnvelope,
  secureRandom,
  signRoster,
  signToySettings,
  toBase64url,
  verifyRosterGenesis,
  verifyToyKeysTag,
  ProtocolError,
  type DeviceId,
  type DeviceKeys,
  type EnvelopeWire,
  type FamilyId,
  type MessageMeta,
  type RandomSource,
  type RosterDevice,
  type RosterWire,
  type QuietHours,
  type ToySettingsBodyV2,
  type ToySettingsWire,
  reviewedDevices,
  settingsVolume,
  signReview,
  signDeletion,
  parseSuccessionRequest,
  signFavourite,
} from '@burrow/protocol';
import type { CreateInvitationResponse, RedeemInvitationResponse } from '@burrow/api';
import type { AccountDevice, ApiClient, PendingReview } from './api.js';
import { loadOrCreateKeys } from './device-keys.js';
import { sealAndSendVoice, sealingKeys, type KemRefusalHandler } from './kem-directory.js';
import { DEFAULT_ROTATION, heldEpochOf, loadCurrentKemKey, maintainKemKeys, openWithHeldKeys, type KeyMaintenance, type RotationPolicy } from './kem-keyring.js';
import { adoptIfDone, countersignAndPublish, erasePreviousIdentities, openAsPrevious, pendingRenewal, previousIds, startRenewal, verifiedSuccessions } from './identity-renewal.js';
import { pinRoster, refreshRoster } from './roster-sync.js';
import type { StateStore } from './store.js';

export interface ReceivedMessage {
  messageId: string;
  familyId: string;
  from: DeviceId;
  createdAt: number;
  meta: MessageMeta;
  audio: Uint8Array;
}

/** A change to a toy's settings; fields left out keep their current value. */
export interface ToySettingsChange {
  timeZone?: string;
  quietHours?: QuietHours | null;
  /** 0 (silent) to 100. */
  volume?: number;
  /** Device ids whose messages wait for a guardian's review before this toy plays them. */
  review?: readonly string[];
}

/** What a guardian allows a person's devices: a guardian, or a member with these rights. */
export interface Grant {
  role: 'guardian' | 'member';
  sendToToy: boolean;
  hearChild: boolean;
}

export interface FamilyDeviceOptions {
  api: ApiClient;
  store: StateStore;
  random?: RandomSource;
  clock?: () => number;
  /** Called for every envelope this device refuses (bad signature, unknown sender...). */
  onRefused?: (envelope: EnvelopeWire, reason: string) => void;
  /** Called for every KEM key record this device refuses (forged, replayed…, docs/protocol.md §14.2). */
  onKeyRecordRefused?: KemRefusalHandler;
  /** When this device rotates its KEM key and how long it keeps a retired one (default weekly, 2 days). */
  rotation?: RotationPolicy;
}

/** Opened family records kept by this device (§14.3): at most this many, the newest. */
const RECORD_CACHE = 'openedRecords';

/** Records read before a person's succession was published, kept until sealed again (a crash in between). */
const RESEAL_PENDING = 'resealAfterSuccession';

/** What a guardian's device read of the family's records, to seal them again (sealRecordsAgain). */
interface FamilyRecords {
  /** The whole profile, so sealing it again keeps the birthday and photo (older entries hold the name only). */
  children: ({ childId: string } & ChildProfile)[];
  toys: { toyId: string; toyName: string }[];
  people: { deviceId: string; memberName: string }[];
}

interface PendingReseal {
  familyId: string;
  from: string;
  to: string;
  records: FamilyRecords;
}
const RECORD_CACHE_MAX = 500;

export class FamilyDevice {
  private constructor(
    readonly api: ApiClient,
    private readonly store: StateStore,
    /** Replaced when the KEM key rotates (the signing key and the roster's KEM key stay). */
    private currentKeys: DeviceKeys,
    private readonly random: RandomSource,
    private readonly clock: () => number,
    private readonly onRefused: (envelope: EnvelopeWire, reason: string) => void,
    private readonly onKeyRecordRefused: KemRefusalHandler,
    private readonly rotation: RotationPolicy,
  ) {}

  /** This device's keys: `kemSecretKey` is the current (rotated) one, `kemPublicKey` the roster's. */
  get keys(): DeviceKeys {
    return this.currentKeys;
  }

  static async open(options: FamilyDeviceOptions): Promise<FamilyDevice> {
    const random = options.random ?? secureRandom;
    // A rotation a crash interrupted is finished here (kem-keyring.ts).
    const keys = await loadCurrentKemKey(options.store, (await loadOrCreateKeys(options.store, random)).keys);
    options.api.deviceId = keys.deviceId;
    return new FamilyDevice(options.api, options.store, keys, random, options.clock ?? (() => Date.now()), options.onRefused ?? (() => undefined), options.onKeyRecordRefused ?? (() => undefined), options.rotation ?? DEFAULT_ROTATION);
  }

  get deviceId(): DeviceId {
    return this.keys.deviceId;
  }

  async signUp(email: string, password: string): Promise<void> {
    const { token } = await this.api.signUp(email, password);
    this.api.token = token;
    await this.registerDevice();
  }

  /** Password sign-in for an account without a second factor (the web app handles the second step). */
  async logIn(email: string, password: string): Promise<void> {
    const res = await this.api.logIn(email, password);
    if ('secondFactorRequired' in res) throw new Error('This account needs its second factor to sign in: use the web app.');
    this.api.token = res.token;
    await this.registerDevice();
  }

  /** Registers this device's public keys with a proof of possession; idempotent. */
  async registerDevice(): Promise<void> {
    await this.api.registerDevice({
      signPublicKey: toBase64url(this.keys.signPublicKey),
      kemPublicKey: toBase64url(this.keys.kemPublicKey),
      proof: makeDeviceProof(this.keys, 'device'),
    });
  }

  /** Creates a family whose genesis roster names this device as its guardian. */
  async createFamily(): Promise<FamilyId> {
    const familyId = newFamilyId(this.random);
    const genesis = signRoster(nextRosterBody(null, familyId, [rosterEntry(this.keys, 'guardian', { sendToToy: true, hearChild: true })], this.clock()), this.keys);
    verifyRosterGenesis(genesis);
    await this.api.createFamily(genesis);
    await pinRoster(this.store, genesis);
    return familyId;
  }

  roster(familyId: string): Promise<RosterWire> {
    return refreshRoster(this.api, this.store, familyId);
  }

  /**
   * Adds a child: a name, or a whole profile (birthday, photo: docs/protocol.md §15.1), sealed to the
   * family's people's devices; the server never sees it.
   */
  async createChild(familyId: string, profile: string | ChildProfile): Promise<string> {
    const roster = await this.roster(familyId);
    const meta = childProfileMeta(typeof profile === 'string' ? { childName: profile } : profile);
    const { childId } = await this.api.createChild(familyId, await this.sealRecord(roster, meta));
    return childId;
  }

  /**
   * A guardian changes a child's profile (a birthday or photo set or removed, the name): the whole
   * profile is sealed afresh to the people's devices of the current roster and replaces the old one.
   * `today` (`YYYY-MM-DD`, the guardian's calendar) refuses a birthday in the future.
   */
  async updateChildProfile(familyId: string, childId: string, profile: ChildProfile, today?: string): Promise<void> {
    const roster = await this.roster(familyId);
    await this.api.replaceChildProfile(familyId, childId, await this.sealRecord(roster, childProfileMeta(profile, today)));
  }

  /**
   * A family record (child profile, toy name) sealed by this device to every person's device the
   * roster lists — guardians and members alike, never toys: a relative who sends needs the child's and
   * the toy's names as much as one who listens (docs/protocol.md §15).
   */
  private async sealRecord(roster: RosterWire, meta: MessageMeta): Promise<EnvelopeWire> {
    const people = roster.devices.filter((d) => d.role !== 'toy').map((d) => d.id);
    // To each device's newest key this device verified (§14.2): a key the device erased opens nothing.
    const { recipients } = await sealingKeys({ api: this.api, store: this.store, roster, deviceIds: people, now: this.clock(), onRefused: this.onKeyRecordRefused });
    const { envelope } = await sealEnvelope({
      kind: 'record',
      id: newMessageId(this.random),
      familyId: roster.familyId,
      sender: this.keys,
      rosterVersion: roster.version,
      createdAt: this.clock(),
      recipients,
      meta,
      random: this.random,
    });
    return envelope;
  }

  /**
   * Makes the family's records readable by every person's device of the current roster (§15): each
   * child profile and toy name that misses one of them is opened here and sealed again to all of
   * them. A guardian device runs this after it admits a device; records this device cannot open are
   * left as they are and counted. A device the roster no longer lists is not a recipient of anything
   * sealed from then on.
   */
  async resealRecords(familyId: string): Promise<{ resealed: number; unreadable: number }> {
    const roster = await this.roster(familyId);
    const people = roster.devices.filter((d) => d.role !== 'toy').map((d) => d.id);
    const missesSomeone = (record: EnvelopeWire) => people.some((id) => !record.recipients.some((r) => r.deviceId === id));
    let resealed = 0;
    let unreadable = 0;
    const reopen = async (record: EnvelopeWire): Promise<MessageMeta | null> => {
      try {
        return await this.openRecord(familyId, record);
      } catch {
        unreadable++;
        return null;
      }
    };
    const family = await this.api.getFamily(familyId);
    for (const child of family.children) {
      if (!missesSomeone(child.profile)) continue;
      const meta = await reopen(child.profile);
      const profile = meta && readChildProfile(meta);
      if (!profile) continue;
      // Sealed again as it was read (readChildProfile dropped only fields that do not check).
      await this.api.replaceChildProfile(familyId, child.childId, await this.sealRecord(roster, { ...profile }));
      resealed++;
    }
    const { toys } = await this.api.listToys(familyId);
    for (const toy of toys) {
      if (!toy.name || !missesSomeone(toy.name)) continue;
      const meta = await reopen(toy.name);
      if (!meta || typeof meta.toyName !== 'string' || meta.toyId !== toy.toyId) continue;
      await this.api.renameToy(familyId, toy.toyId, await this.sealRecord(roster, { toyName: meta.toyName, toyId: toy.toyId }));
      resealed++;
    }
    const { names } = await this.api.listMemberNames(familyId);
    for (const { deviceId, name } of names) {
      if (!missesSomeone(name)) continue;
      const meta = await reopen(name);
      if (!meta || typeof meta.memberName !== 'string' || meta.deviceId !== deviceId) continue;
      await this.api.putMemberName(familyId, deviceId, await this.sealRecord(roster, { memberName: meta.memberName, deviceId }));
      resealed++;
    }
    return { resealed, unreadable };
  }

  /**
   * The family's records this device can open now (§15): child names, toy names and the people's
   * names, each as it would seal it again. Read before a person's succession is published: records
   * the old id sealed are refused once the roster no longer lists it (unknown sender), and the new id
   * is not among the recipients of anything sealed before.
   */
  private async familyRecords(familyId: string): Promise<FamilyRecords> {
    const open = (record: EnvelopeWire) => this.openRecord(familyId, record).catch(() => null);
    const out: FamilyRecords = { children: [], toys: [], people: [] };
    for (const child of (await this.api.getFamily(familyId)).children) {
      const meta = await open(child.profile);
      const profile = meta && readChildProfile(meta);
      if (profile) out.children.push({ childId: child.childId, ...profile });
    }
    for (const toy of (await this.api.listToys(familyId)).toys) {
      const meta = toy.name ? await open(toy.name) : null;
      if (typeof meta?.toyName === 'string' && meta.toyId === toy.toyId) out.toys.push({ toyId: toy.toyId, toyName: meta.toyName });
    }
    for (const [deviceId, memberName] of await this.memberNames(familyId)) out.people.push({ deviceId, memberName });
    return out;
  }

  /**
   * Before a person's succession is published: reads the family's records and keeps them in this
   * device's store, so that sealing them again survives the app stopping after the publish.
   */
  private async keepForReseal(familyId: string, from: string, to: string): Promise<void> {
    const pending: PendingReseal = { familyId, from, to, records: await this.familyRecords(familyId) };
    await this.store.set(RESEAL_PENDING, pending);
  }

  /**
   * Seals again what keepForReseal kept, once the roster lists the successor (published) — right
   * after the publish, or on the next key check if the app stopped in between (finishRenewals). A
   * succession that was not published is dropped here (its request is performed again later, and
   * read again). Returns how many records it sealed again.
   */
  private async sealAgainIfPending(familyId: string): Promise<number> {
    const pending = await this.store.get<PendingReseal | null>(RESEAL_PENDING);
    if (pending?.familyId !== familyId) return 0;
    const roster = await this.roster(familyId);
    if (findDevice(roster, this.deviceId)?.role !== 'guardian') return 0;
    const sealed = findDevice(roster, pending.to) ? await this.sealRecordsAgain(familyId, pending.records, pending.from, pending.to) : 0;
    await this.store.set(RESEAL_PENDING, null);
    return sealed;
  }

  /**
   * After a person's succession `from` → `to` (§17.4): seals the records read before it again, with
   * this device's current identity, to the people of the current roster — so everyone keeps reading
   * the child's, the toys' and the people's names, the renewed device included; a name filed under
   * `from` is filed under `to`. A renewed toy's own name is carried by carryPlaces.
   */
  private async sealRecordsAgain(familyId: string, records: FamilyRecords, from: string, to: string): Promise<number> {
    const roster = await this.roster(familyId);
    let sealed = 0;
    for (const { childId, ...profile } of records.children) {
      await this.api.replaceChildProfile(familyId, childId, await this.sealRecord(roster, { ...profile }));
      sealed++;
    }
    for (const { toyId, toyName } of records.toys) {
      if (!findDevice(roster, toyId)) continue;
      await this.api.renameToy(familyId, toyId, await this.sealRecord(roster, { toyName, toyId }));
      sealed++;
    }
    for (const { deviceId, memberName } of records.people) {
      const id = deviceId === from ? to : deviceId;
      if (!findDevice(roster, id)) continue;
      await this.api.putMemberName(familyId, id, await this.sealRecord(roster, { memberName, deviceId: id }));
      sealed++;
    }
    return sealed;
  }

  /**
   * Seals the name this device goes by ("Grandma") to the roster's people so guardians see it before
   * any message (§15). Only once this device is in the roster; a no-op otherwise.
   */
  async publishMemberName(familyId: string, memberName: string): Promise<boolean> {
    const roster = await this.roster(familyId);
    const self = findDevice(roster, this.deviceId);
    if (!self || self.role === 'toy' || !memberName) return false;
    await this.api.putMemberName(familyId, this.deviceId, await this.sealRecord(roster, { memberName, deviceId: this.deviceId }));
    return true;
  }

  /**
   * The names of the family's people's devices this device can open, by device id. A name counts only
   * if it names the device it is filed under and was sealed by that device or a guardian of the roster.
   */
  async memberNames(familyId: string): Promise<Map<string, string>> {
    const roster = await this.roster(familyId);
    const { names } = await this.api.listMemberNames(familyId);
    const out = new Map<string, string>();
    for (const { deviceId, name } of names) {
      const sealer = findDevice(roster, name.sender);
      if (name.sender !== deviceId && sealer?.role !== 'guardian') continue;
      try {
        const meta = await this.openRecord(familyId, name);
        if (typeof meta.memberName === 'string' && meta.deviceId === deviceId) out.set(deviceId, meta.memberName);
      } catch {
        // Sealed before this device joined and not re-sealed yet: no name for that device.
      }
    }
    return out;
  }

  /**
   * Opens a sealed record (a child profile) addressed to this device. What it opened is kept here, so
   * the record still reads once the key it was sealed to is erased (§14.3); the envelope is checked
   * against the roster every time, the cache only saves the decryption.
   */
  async openRecord(familyId: string, record: EnvelopeWire): Promise<MessageMeta> {
    const roster = await this.roster(familyId);
    const envelope = parseEnvelope(record);
    const refusal = familyAdmission(envelope, roster, this.deviceId);
    if (refusal) throw new ProtocolError('not_authorized', `Refused: ${refusal}.`);
    const cache = (await this.store.get<Record<string, MessageMeta> | null>(RECORD_CACHE)) ?? {};
    const key = `${envelope.id}.${envelope.signature}`;
    const cached = cache[key];
    if (cached) return cached;
    const { meta } = await openWithHeldKeys(this.store, this.keys, envelope, null);
    const entries = Object.entries({ ...cache, [key]: meta }).slice(-RECORD_CACHE_MAX);
    await this.store.set(RECORD_CACHE, Object.fromEntries(entries));
    return meta;
  }

  /**
   * Rotates this device's KEM key on schedule, publishes its signed record and erases retired keys
   * past their grace period (docs/protocol.md §14.3), as the toy does. Before a key may be erased the
   * family's records are opened (and so kept, see openRecord); a retired key that a message waiting
   * for this guardian's review is sealed to is kept until the review is decided. Runs only while
   * the device is in the family's roster (nobody seals to it otherwise); checks at most every
   * `min(interval, grace) / 8` (an hour at most) unless `force`d.
   */
  async maintainKeys(familyId: string, options: { force?: boolean } = {}): Promise<KeyMaintenance | undefined> {
    const now = this.clock();
    const every = Math.min(60 * 60 * 1000, Math.min(this.rotation.intervalMs, this.rotation.graceMs) / 8);
    const last = await this.store.get<number | null>('kemCheckedAt');
    if (!options.force && typeof last === 'number' && now >= last && now - last < every) return undefined;
    const roster = await this.roster(familyId);
    await this.adoptRenewedIdentity(familyId);
    const me = findDevice(roster, this.deviceId);
    if (!me) return undefined;
    await erasePreviousIdentities(this.store, now, this.rotation.graceMs);
    if (me.role === 'guardian') {
      await this.approveRenewals(familyId).catch(() => undefined);
      await this.finishRenewals(familyId).catch(() => undefined);
    }
    const family = await this.api.getFamily(familyId);
    for (const child of family.children) await this.openRecord(familyId, child.profile).catch(() => undefined);
    const { toys } = await this.api.listToys(familyId);
    for (const toy of toys) if (toy.name) await this.openRecord(familyId, toy.name).catch(() => undefined);
    const { names } = await this.api.listMemberNames(familyId).catch(() => ({ names: [] }));
    for (const { name } of names) await this.openRecord(familyId, name).catch(() => undefined);
    const inUse = new Set<number>();
    if (me.role === 'guardian') {
      for (const pending of await this.listReviews(familyId).catch(() => [])) {
        const epoch = await heldEpochOf(this.store, this.keys, parseEnvelope(pending.envelope));
        if (epoch !== null) inUse.add(epoch);
      }
    }
    const result = await maintainKemKeys({
      store: this.store,
      api: this.api,
      keys: this.keys,
      random: this.random,
      now,
      policy: this.rotation,
      inUse: (epoch) => inUse.has(epoch),
      ...(options.force ? { force: true } : {}),
    });
    this.currentKeys = result.keys;
    await this.store.set('kemCheckedAt', now);
    return result;
  }

  // ---- Renewing this device's identity (docs/protocol.md §17) ----

  /**
   * Renews this device's Ed25519 identity (and so its device id) without pairing again: a new key set,
   * a request both identities sign, and — done here at once on a guardian's device, else by a
   * guardian's device when it next syncs — a roster swapping this device's entry, same role and
   * rights. Returns whether the switch happened now (`renewed`) or waits for a guardian.
   */
  async renewIdentity(familyId: string): Promise<{ renewed: boolean; from: DeviceId; to: DeviceId }> {
    const roster = await this.roster(familyId);
    const request = await startRenewal({ api: this.api, store: this.store, keys: this.keys, roster, random: this.random, now: this.clock() });
    if (findDevice(roster, this.deviceId)?.role === 'guardian') {
      // Read while the old identity is still in the roster: what it sealed is refused once it is not.
      await this.keepForReseal(familyId, request.from, request.to);
      const next = await countersignAndPublish({ api: this.api, store: this.store, guardian: this.keys, roster, request, now: this.clock() });
      const renewed = await this.adoptRenewedIdentity(familyId);
      // Signed with the new identity, a guardian of the roster just published.
      await this.carryPlaces(next, (id) => (id === request.from ? request.to : undefined));
      await this.sealAgainIfPending(familyId);
      return { renewed, from: request.from, to: request.to };
    }
    const renewed = await this.adoptRenewedIdentity(familyId);
    return { renewed, from: request.from, to: request.to };
  }

  /** Whether this device asked to renew its identity and waits for a guardian. */
  async renewalPending(): Promise<boolean> {
    return (await pendingRenewal(this.store)) !== undefined;
  }

  /** Switches to the renewed identity once a verified succession in the roster names it (§17.3). */
  async adoptRenewedIdentity(familyId: string): Promise<boolean> {
    const roster = await this.roster(familyId);
    const keys = await adoptIfDone({ api: this.api, store: this.store, keys: this.keys, roster, now: this.clock() });
    if (!keys) return false;
    this.currentKeys = keys;
    this.api.deviceId = keys.deviceId;
    return true;
  }

  /**
   * A guardian's device performs the family's pending renewals: each request whose two signatures
   * verify against the roster it holds gets the roster swapping the device and the countersignature.
   * A request that does not verify (forged, old key not listed) is left alone. Returns how many.
   */
  async approveRenewals(familyId: string): Promise<number> {
    const { requests } = await this.api.listSuccessionRequests(familyId);
    let done = 0;
    for (const request of requests) {
      try {
        const parsed = parseSuccessionRequest(request);
        const roster = await this.roster(familyId);
        if (findDevice(roster, parsed.from)?.role !== 'toy') await this.keepForReseal(familyId, parsed.from, parsed.to);
        const next = await countersignAndPublish({ api: this.api, store: this.store, guardian: this.keys, roster, request: parsed, now: this.clock() });
        // A crash from here on is caught up by finishRenewals on the next key check.
        await this.carryPlaces(next, (id) => (id === parsed.from ? parsed.to : undefined));
        await this.sealAgainIfPending(familyId);
        done++;
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
    }
    return done;
  }

  /**
   * Carries places across renewals (docs/protocol.md §17.6) — what a guardian's device does after it
   * publishes a succession, and again on its key checks in case it stopped in between:
   * - a toy renewed its identity: the server moved its records, but the settings are signed for the
   *   old id and its sealed name names it, so this device signs the same settings again and seals
   *   the same name for the new id;
   * - a device under review for a toy (§11) renewed: each toy's settings listing the old id are signed
   *   again listing the new one, so the server holds its messages for review as before (the toy
   *   itself already follows the succession, §17.3).
   * `successorOf` maps an id to the one a verified succession made of it (undefined: none), so a
   * record naming an id nothing succeeded is left as it is. Returns how many records it changed (0
   * when everything already names the current ids, which makes it safe to run again) and how many
   * toys' records it left naming another toy (only a server that shows the wrong record makes one).
   */
  private async carryPlaces(roster: RosterWire, successorOf: (id: string) => string | undefined): Promise<{ changed: number; left: number }> {
    let changed = 0;
    let left = 0;
    const names = new Map((await this.api.listToys(roster.familyId)).toys.map((t) => [t.toyId, t.name]));
    for (const toy of roster.devices.filter((d) => d.role === 'toy')) {
      const { settings } = await this.api.getToySettings(roster.familyId, toy.id);
      const review = reviewedDevices(settings);
      const carried: string[] = review.map((id) => successorOf(id) ?? id);
      const renamed = settings !== null && settings.toyId !== toy.id && successorOf(settings.toyId) === toy.id;
      if (renamed || carried.some((id, i) => id !== review[i])) {
        await this.setToySettings(roster.familyId, toy.id, { review: carried });
        changed++;
      } else if (settings !== null && settings.toyId !== toy.id) left++;
      const name = names.get(toy.id);
      const meta = name ? await this.openRecord(roster.familyId, name).catch(() => null) : null;
      if (meta && typeof meta.toyName === 'string' && typeof meta.toyId === 'string' && meta.toyId !== toy.id) {
        if (successorOf(meta.toyId) !== toy.id) left++;
        else {
          await this.renameToy(roster.familyId, toy.id, meta.toyName);
          changed++;
        }
      }
    }
    return { changed, left };
  }

  /**
   * Finishes renewals whose last step did not run (§17.6): a guardian's app that stopped between
   * publishing the roster and signing the toy's settings or sealing its name again finds them still
   * under the old id here, on its next key check, and carries them — only along successions that
   * verify against the roster chain (a record the server shows under another toy's id is left alone,
   * and tried again on the next check). The successions done are remembered once nothing is left, so
   * a check with no new one costs two requests (the roster, the successions). Returns how many records it changed (0: none left).
   */
  async finishRenewals(familyId: string): Promise<number> {
    const resealed = await this.sealAgainIfPending(familyId);
    const roster = await this.roster(familyId);
    if (findDevice(roster, this.deviceId)?.role !== 'guardian') return resealed;
    const key = `renewalsCarried.${roster.familyId}`;
    const after = (await this.store.get<number | null>(key)) ?? 0;
    const { accepted } = await verifiedSuccessions(this.api, roster, after);
    if (accepted.length === 0) return resealed;
    const next = new Map<string, string>(accepted.map((s) => [s.from, s.to]));
    // A device renewed twice since the last check: follow the chain to its end (bounded, in case of a loop).
    const successorOf = (id: string): string | undefined => {
      let at = next.get(id);
      for (let i = 0; at !== undefined && next.has(at) && i < accepted.length; i++) at = next.get(at);
      return at;
    };
    const { changed, left } = await this.carryPlaces(roster, successorOf);
    if (left === 0) await this.store.set(key, Math.max(after, ...accepted.map((s) => s.rosterVersion)));
    return changed + resealed;
  }

  /**
   * Claims the toy in hand with the code it shows. The toy's keys are checked against the code's
   * secret, and the new roster is MACed with it, so the server can swap neither side's keys.
   */
  async claimToy(familyId: string, childId: string, codeText: string): Promise<DeviceId> {
    const code = parsePairingCode(codeText);
    const key = pairingKey(code);
    const found = await this.api.lookupPairing(code.lookup);
    const toyKeys = { toyId: found.toyId as DeviceId, signPublicKey: found.signPublicKey, kemPublicKey: found.kemPublicKey };
    verifyToyKeysTag(key, toyKeys, found.keysTag);
    const current = await this.roster(familyId);
    const toyEntry = {
      id: toyKeys.toyId,
      role: 'toy' as const,
      signPublicKey: toyKeys.signPublicKey,
      kemPublicKey: toyKeys.kemPublicKey,
      sendToToy: false,
      hearChild: false,
    };
    const others = current.devices.filter((d) => d.id !== toyEntry.id);
    const next = signRoster(nextRosterBody(current, current.familyId, [...others, toyEntry], this.clock()), this.keys);
    await this.api.claimToy(familyId, { lookup: code.lookup, childId, roster: next, rosterTag: rosterTag(key, toyEntry.id, next) });
    await pinRoster(this.store, next);
    return toyEntry.id;
  }

  /**
   * Makes this device the family's guardian when its only guardian lost every approved device
   * (docs/protocol.md §5.1): with a recovery code of the signed-in account and the pairing code the
   * family's toy shows while its button is held. The next roster keeps every device but the lost
   * guardian ones and adds this one as guardian; it is MACed with the code's secret, so the toy
   * accepts it only if the code was really read off it. Returns the toy's id.
   */
  async recoverGuardian(familyId: string, recoveryCode: string, codeText: string): Promise<DeviceId> {
    const code = parsePairingCode(codeText);
    const key = pairingKey(code);
    const found = await this.api.lookupPairing(code.lookup);
    verifyToyKeysTag(key, { toyId: found.toyId as DeviceId, signPublicKey: found.signPublicKey, kemPublicKey: found.kemPublicKey }, found.keysTag);
    const current = await this.roster(familyId);
    const toy = findDevice(current, found.toyId);
    if (toy?.role !== 'toy' || toy.signPublicKey !== found.signPublicKey) {
      throw new ProtocolError('not_authorized', 'That pairing code belongs to a toy of another family.');
    }
    const me = rosterEntry(this.keys, 'guardian', { sendToToy: true, hearChild: true });
    const kept = current.devices.filter((d) => d.role !== 'guardian' && d.id !== me.id);
    const next = signRoster(nextRosterBody(current, current.familyId, [me, ...kept], this.clock()), this.keys);
    await this.api.recoverGuardian(familyId, { recoveryCode, lookup: code.lookup, roster: next, rosterTag: rosterTag(key, toy.id, next) });
    await pinRoster(this.store, next);
    return toy.id;
  }

  /**
   * Seals a voice message to the given toys (and to this device, so it can replay what it sent),
   * uploads the ciphertext and posts the signed envelope. Returns the message id.
   */
  async sendVoice(familyId: string, toyIds: readonly string[], audio: Uint8Array, meta: MessageMeta): Promise<string> {
    const roster = await this.roster(familyId);
    const me = findDevice(roster, this.deviceId);
    if (!me?.sendToToy) throw new ProtocolError('not_authorized', 'This device may not send to the toy.');
    // A toy that puts this device under review (§11) gets the message only after a guardian approves
    // it, so it is sealed to the guardians too: they listen to it before deciding.
    const reviewers: string[] = [];
    for (const toyId of toyIds) {
      const { settings } = await this.api.getToySettings(familyId, toyId).catch(() => ({ settings: null }));
      if (reviewedDevices(settings).includes(this.deviceId)) {
        reviewers.push(...roster.devices.filter((d) => d.role === 'guardian').map((d) => d.id));
        break;
      }
    }
    // Guardians hear everything said to their child (docs/protocol.md §7): a message to a toy is sealed
    // to every guardian device of the roster too, whoever sends it. Relatives get only their own.
    const guardians = toyIds.length > 0 ? roster.devices.filter((d) => d.role === 'guardian').map((d) => d.id) : [];
    const targets = [...new Set([...toyIds, this.deviceId, ...reviewers, ...guardians])];
    // Sealed to each recipient's newest key this device verified (§14.2), sealed again after a 409.
    return sealAndSendVoice({
      api: this.api,
      store: this.store,
      roster,
      deviceIds: targets,
      sender: this.keys,
      meta,
      audio,
      clock: this.clock,
      random: this.random,
      onRefused: this.onKeyRecordRefused,
      hiddenKey: 'A recipient has a newer key the server does not show.',
    });
  }

  /**
   * Fetches everything addressed to this device since its cursor, verifies each envelope against the
   * family roster, decrypts it and acknowledges delivery. Refused envelopes are reported, not returned.
   */
  async sync(): Promise<ReceivedMessage[]> {
    const received: ReceivedMessage[] = [];
    let cursor = (await this.store.get<number>('inboxCursor')) ?? 0;
    for (;;) {
      const page = await this.api.listMessages(cursor, 50);
      // Only items past the cursor count; a server that repeats a page cannot keep us looping.
      const fresh = page.messages.filter((item) => Number.isSafeInteger(item.seq) && item.seq > cursor);
      for (const item of fresh) {
        const message = await this.receive(item.envelope);
        if (message) received.push(message);
        cursor = item.seq;
        await this.store.set('inboxCursor', cursor);
      }
      if (fresh.length === 0 || page.messages.length < 50) break;
    }
    return received;
  }

  private async receive(raw: EnvelopeWire): Promise<ReceivedMessage | null> {
    let envelope: EnvelopeWire;
    try {
      envelope = parseEnvelope(raw);
    } catch {
      this.onRefused(raw, 'malformed');
      return null;
    }
    if (envelope.kind !== 'voice') return null;
    const roster = await this.roster(envelope.familyId);
    // A message in flight to an identity this device renewed away from (§17.4) is addressed to that id.
    const formerIds = envelope.recipients.some((r) => r.deviceId === this.deviceId) ? [] : await previousIds(this.store);
    const addressedAs = formerIds.find((id) => envelope.recipients.some((r) => r.deviceId === id)) ?? this.deviceId;
    const refusal = familyAdmission(envelope, roster, addressedAs);
    if (refusal) {
      this.onRefused(envelope, refusal);
      return null;
    }
    try {
      const blob = await this.api.downloadMessageBlob(envelope.id);
      const { meta, payload } = addressedAs === this.deviceId ? await openWithHeldKeys(this.store, this.keys, envelope, blob) : await openAsPrevious(this.store, this.keys, envelope, blob);
      if (envelope.sender !== this.deviceId) await this.api.sendReceipt(envelope.id, 'delivered');
      return { messageId: envelope.id, familyId: envelope.familyId, from: envelope.sender, createdAt: envelope.createdAt, meta, audio: payload ?? new Uint8Array(0) };
    } catch (err) {
      this.onRefused(envelope, err instanceof ProtocolError ? err.code : 'download_failed');
      return null;
    }
  }

  // ---- Who may talk to the child (docs/safety.md) ----

  /** Creates a single-use invitation; the code is shown once (share it as a link `/join#CODE`). */
  invite(familyId: string, ttlMs?: number): Promise<CreateInvitationResponse> {
    return this.api.createInvitation(familyId, ttlMs);
  }

  /** A relative, signed in on this device, asks to join with the code a guardian gave them. */
  requestToJoin(code: string): Promise<RedeemInvitationResponse> {
    return this.api.redeemInvitation(code);
  }

  /**
   * Approves a join request with the rights the guardian chose, then signs and publishes the roster
   * that lists the person's devices with those rights. Until that roster exists nobody can seal to
   * them and the toy refuses them.
   */
  async approveJoinRequest(familyId: string, requestId: string, grant: Grant): Promise<RosterWire> {
    const request = await this.api.approveJoinRequest(familyId, requestId);
    return this.addDevices(familyId, request.devices, grant);
  }

  declineJoinRequest(familyId: string, requestId: string): Promise<unknown> {
    return this.api.declineJoinRequest(familyId, requestId);
  }

  /** Approves a member's (or guardian's) new device: a roster listing it with the given rights. */
  async approveDevice(familyId: string, deviceId: string, grant: Grant): Promise<RosterWire> {
    const { devices } = await this.api.listPendingDevices(familyId);
    const device = devices.find((d) => d.deviceId === deviceId);
    if (!device) throw new ProtocolError('not_authorized', 'That device is not waiting for approval.');
    const roster = await this.addDevices(familyId, [device], grant);
    await this.extendReview(familyId, roster, device.accountId, device.deviceId);
    return roster;
  }

  /**
   * A person under review on a toy stays under review on their new device: the toy checks device ids
   * (§11), so every toy whose settings list another device of the same account gets a new record
   * listing this one too. (The server already holds messages from any device of such an account.)
   */
  private async extendReview(familyId: string, roster: RosterWire, accountId: string, deviceId: string): Promise<void> {
    const { requests } = await this.api.listJoinRequests(familyId);
    const sameAccount = new Set(requests.filter((r) => r.accountId === accountId).flatMap((r) => r.devices.map((d) => d.deviceId)));
    sameAccount.delete(deviceId);
    if (sameAccount.size === 0) return;
    for (const toy of roster.devices.filter((d) => d.role === 'toy')) {
      const { settings } = await this.api.getToySettings(familyId, toy.id);
      const reviewed = reviewedDevices(settings);
      if (reviewed.some((id) => sameAccount.has(id)) && !reviewed.includes(deviceId as DeviceId)) {
        await this.setReview(familyId, toy.id, [deviceId], true);
      }
    }
  }

  /**
   * Names a toy ("Bunny"). The name is family data, so it is sealed like a child's profile: a record
   * to every person's device in the roster, signed by this guardian device. The server keeps only that.
   */
  async renameToy(familyId: string, toyId: string, name: string): Promise<void> {
    const roster = await this.roster(familyId);
    await this.api.renameToy(familyId, toyId, await this.sealRecord(roster, { toyName: name, toyId }));
  }


  /**
   * Unpairs a toy: signs the next roster without it (nothing else changes), and the server revokes
   * the toy's credentials and deletes its queue. The toy learns it and wipes itself (ToyDevice.reset).
   */
  async unpairToy(familyId: string, toyId: string): Promise<RosterWire> {
    const current = await this.roster(familyId);
    const next = signRoster(nextRosterBody(current, current.familyId, current.devices.filter((d) => d.id !== toyId), this.clock()), this.keys);
    await this.api.unpairToy(familyId, toyId, next);
    await pinRoster(this.store, next);
    return next;
  }

  /**
   * A toy is lost or stolen: as unpairing (a roster without it, signed here; the server deletes its
   * queue and credentials at once, so if it connects again it is refused and wipes itself), and the
   * server keeps when it last checked in, for the family to see (`api.listLostToys`).
   */
  async markToyLost(familyId: string, toyId: string): Promise<{ version: number; lastSeenAt: number | null }> {
    const current = await this.roster(familyId);
    const next = signRoster(nextRosterBody(current, current.familyId, current.devices.filter((d) => d.id !== toyId), this.clock()), this.keys);
    const res = await this.api.markToyLost(familyId, toyId, next);
    await pinRoster(this.store, next);
    return res;
  }

  /** Removes devices from the roster: from the next version on they can neither send nor hear. */
  async removeDevices(familyId: string, deviceIds: readonly string[]): Promise<RosterWire> {
    const current = await this.roster(familyId);
    const gone = new Set(deviceIds);
    return this.publishDevices(current, current.devices.filter((d) => !gone.has(d.id)));
  }

  /** Blocks an account: the server refuses it at once, then this device signs a roster without it. */
  async blockMember(familyId: string, accountId: string): Promise<RosterWire> {
    const { deviceIds } = await this.api.blockAccount(familyId, accountId);
    return this.removeDevices(familyId, deviceIds);
  }

  /**
   * Sets a toy's quiet hours (minutes after local midnight in `timeZone`; null for none) with a
   * record this guardian device signs; the toy verifies and enforces it (docs/protocol.md §10).
   * The toy's volume and review list are kept as they are.
   */
  async setQuietHours(familyId: string, toyId: string, timeZone: string, quietHours: QuietHours | null): Promise<ToySettingsWire> {
    return this.setToySettings(familyId, toyId, { timeZone, quietHours });
  }

  /**
   * Changes a toy's settings — quiet hours, volume (0-100), the devices whose messages wait for a
   * guardian's review — in one record this guardian device signs (docs/protocol.md §10, §11). Fields
   * left out keep their current value (or the default when the toy has none yet).
   */
  async setToySettings(familyId: string, toyId: string, change: ToySettingsChange): Promise<ToySettingsWire> {
    const roster = await this.roster(familyId);
    const { settings: held } = await this.api.getToySettings(familyId, toyId);
    const body: ToySettingsBodyV2 = {
      v: 2,
      familyId: roster.familyId,
      toyId: toyId as DeviceId,
      version: (held?.version ?? 0) + 1,
      issuedAt: this.clock(),
      timeZone: change.timeZone ?? held?.timeZone ?? 'UTC',
      quietHours: change.quietHours !== undefined ? change.quietHours : (held?.quietHours ?? null),
      volume: change.volume ?? settingsVolume(held),
      review: [...new Set((change.review ?? reviewedDevices(held)).map((id) => id as DeviceId))].sort(),
    };
    const settings = signToySettings(body, this.keys);
    await this.api.putToySettings(familyId, toyId, settings);
    return settings;
  }

  /** Puts a person's devices under review for a toy, or takes them off (one signed settings change). */
  async setReview(familyId: string, toyId: string, deviceIds: readonly string[], review: boolean): Promise<ToySettingsWire> {
    const { settings: held } = await this.api.getToySettings(familyId, toyId);
    const current = new Set<string>(reviewedDevices(held));
    for (const id of deviceIds) {
      if (review) current.add(id);
      else current.delete(id);
    }
    return this.setToySettings(familyId, toyId, { review: [...current] });
  }

  // ---- Review before play (docs/protocol.md §11) ----

  /** Messages waiting for a guardian's review in this family. */
  async listReviews(familyId: string): Promise<PendingReview[]> {
    const { reviews } = await this.api.listReviews(familyId);
    return reviews;
  }

  /**
   * Opens a waiting message so a guardian can listen before approving: its envelope is checked
   * against the roster like any other, and it is sealed to the guardians when it waits for review.
   */
  async openReview(familyId: string, pending: PendingReview): Promise<{ meta: MessageMeta; audio: Uint8Array }> {
    const envelope = parseEnvelope(pending.envelope);
    const roster = await this.roster(familyId);
    const refusal = familyAdmission(envelope, roster, this.deviceId);
    if (refusal) throw new ProtocolError('not_authorized', `Refused: ${refusal}.`);
    const blob = await this.api.downloadReviewBlob(familyId, envelope.id);
    const { meta, payload } = await openWithHeldKeys(this.store, this.keys, envelope, blob);
    return { meta, audio: payload ?? new Uint8Array(0) };
  }

  /**
   * Approves a waiting message: this guardian device signs a review of exactly that envelope for
   * each toy it waits for, and the server releases it to them. The toy verifies the signature itself.
   */
  async approveMessage(familyId: string, messageId: string): Promise<void> {
    const pending = (await this.listReviews(familyId)).find((r) => r.messageId === messageId);
    if (!pending) throw new ProtocolError('not_authorized', 'That message is not waiting for review.');
    const envelope = parseEnvelope(pending.envelope);
    if (envelope.id !== messageId || envelope.familyId !== familyId) throw new ProtocolError('not_authorized', 'The server returned another message.');
    const reviews = pending.toyIds.map((toyId) => signReview(envelope, toyId as DeviceId, this.keys));
    await this.api.approveMessage(familyId, messageId, reviews);
  }

  /** Declines a waiting message: the server deletes it (envelope and audio) and tells the sender. */
  async declineMessage(familyId: string, messageId: string): Promise<void> {
    await this.api.declineMessage(familyId, messageId);
  }

  private async addDevices(familyId: string, devices: readonly AccountDevice[], grant: Grant): Promise<RosterWire> {
    const current = await this.roster(familyId);
    // A roster entry whose id is not derived from its key is refused by every parser (§2.2).
    const added: RosterDevice[] = devices.map((d) => ({ id: d.deviceId as DeviceId, role: grant.role, signPublicKey: d.signPublicKey, kemPublicKey: d.kemPublicKey, sendToToy: grant.sendToToy, hearChild: grant.hearChild }));
    const ids = new Set(added.map((d) => d.id));
    const next = await this.publishDevices(current, [...current.devices.filter((d) => !ids.has(d.id)), ...added]);
    // The admitted devices read the child's and the toy's names from now on, not only what comes later.
    await this.resealRecords(familyId);
    return next;
  }

  private async publishDevices(current: RosterWire, devices: RosterWire['devices']): Promise<RosterWire> {
    const next = signRoster(nextRosterBody(current, current.familyId, devices, this.clock()), this.keys);
    await this.api.publishRoster(current.familyId, next);
    await pinRoster(this.store, next);
    return next;
  }

  /**
   * Deletes a message this device's account sent, or (a guardian) any message of the family: the
   * server deletes its copy, and keeps this device's signed instruction for the family's toys, which
   * drop the message if they hold it unplayed (docs/protocol.md §16). A toy obeys the instruction
   * only from the message's own sending device or a guardian device.
   */
  async deleteMessage(familyId: string, messageId: string): Promise<void> {
    await this.api.deleteMessage(messageId, signDeletion({ familyId, messageId, issuedAt: this.clock() }, this.keys));
  }

  /**
   * Asks a toy to keep a message as a favourite (`keep`), or to let it go: this guardian device signs
   * the instruction, the server checks it and keeps it for the toy, which verifies it against its own
   * roster (docs/protocol.md §18). A toy keeps at most FAVOURITE_SLOTS; one more is a 409.
   */
  async setFavourite(familyId: string, toyId: string, messageId: string, keep: boolean): Promise<{ toyId: string; kept: number; slots: number }> {
    // The toy applies an instruction only if it is newer than the last for that message: two taps in
    // the same millisecond must still be two instants.
    const last = (await this.store.get<number | null>('favouriteIssuedAt')) ?? 0;
    const issuedAt = Math.max(this.clock(), last + 1);
    await this.store.set('favouriteIssuedAt', issuedAt);
    return this.api.setFavourite(familyId, signFavourite({ familyId, toyId, messageId, keep, issuedAt }, this.keys));
  }

  markPlayed(messageId: string): Promise<void> {
    return this.api.sendReceipt(messageId, 'played');
  }
}
