/**
 * The guardian app's state and actions, outside React. Everything that touches the protocol goes
 * through @burrow/client's FamilyDevice (sealing, opening, rosters, pairing) and ApiClient; this file
 * only decides when to call them and keeps what the pages show.
 *
 * Authentication is the HttpOnly `burrow_session` cookie: the token in the sign-up and log-in answers
 * is ignored, so no script on the page ever holds it. The acting device is sent as X-Burrow-Device
 * (ApiClient.deviceId) and as `?device=` on the stream.
 */
import type {
  ConfirmOwnerBody,
  CreateInvitationResponse,
  ListBlocksResponse,
  LostToy,
  SecondFactorRequired,
  SentItem,
  SentToyStatus,
  ToySettingsResponse,
} from '@burrow/api';
import {
  ApiClient,
  FamilyDevice,
  isApiError,
  openStream,
  type Grant,
  type JoinRequest,
  type PendingDevice,
  type SocketLike,
  type Stream,
  type ToySettingsChange,
  type PendingReview,
  ApiError,
} from '@burrow/client';
import {
  deviceFingerprint,
  toBase64url,
  findDevice,
  type QuietHours,
  type RosterWire,
  type ToySettingsWire,
} from '@burrow/protocol';
import { notifyInBackground } from './notify.js';
import { describeError } from '../shared/errors.js';
import { IdbStore, MessageArchive, type ArchivedMessage } from '../shared/idb-store.js';
import type { Recording } from '../shared/recorder.js';
import { UploadTracker, type UploadProgress } from '../shared/upload-fetch.js';
import { t } from '../i18n/index.js';

export interface Child {
  childId: string;
  name: string;
}

export interface Toy {
  toyId: string;
  childId: string | null;
  /** The name a guardian gave it, opened here from its sealed record; null: unnamed or unreadable. */
  name: string | null;
  /** Its stream is connected now (live, from `presence` events). */
  online: boolean;
  lastSeenAt: number | null;
  /** Messages addressed to it that it has not played, from anyone in the family. */
  unplayed: number;
}

export interface Receipt {
  delivered: boolean;
  played: boolean;
  /** A guardian declined it after review (docs/safety.md): it was deleted and will not play. */
  declined: boolean;
  /** Where it is on each toy it was sent to, as the server knows it (docs/api.md, "Where a sent message is"). */
  toys: SentToyStatus[];
}

/** A message waiting for a guardian's review, as the review queue shows it. */
export type WaitingReview = PendingReview;

export type Phase = 'loading' | 'signed-out' | 'setup' | 'ready' | 'failed';

export interface GuardianState {
  phase: Phase;
  /** Why the app could not start (phase `failed`). */
  error: string | null;
  email: string | null;
  deviceId: string;
  /** This browser asked to renew its identity key and waits for a guardian's device (docs/protocol.md §17). */
  renewalPending: boolean;
  familyId: string | null;
  role: string | null;
  children: Child[];
  toys: Toy[];
  roster: RosterWire | null;
  /** The account's registered devices (ids). */
  accountDevices: string[];
  /** This browser is listed in the family roster (it can send and hear). */
  inRoster: boolean;
  messages: ArchivedMessage[];
  receipts: Record<string, Receipt>;
  /** The wake-up socket is connected. */
  live: boolean;
  /** How this browser's user is named to the child ("Grandma"), sealed into each message. */
  senderName: string;
  /** This browser has signed in before (sign-in rather than sign-up is offered first). */
  returning: boolean;
  /** Recovery codes from sign-up, shown once until the person confirms they saved them (Security.tsx). */
  recoveryCodes: string[] | null;
  /** A family requires a second factor this account has not added (family operations are refused). */
  mustAddSecondFactor: boolean;
  /** Messages waiting for a guardian's review (guardians only; docs/safety.md). */
  reviews: PendingReview[];
  /** Devices the roster lists whose account was deleted: a guardian signs them out (Family page). */
  departedDevices: string[];
  /** The name each person's device goes by ("Grandma"), opened here from sealed records (protocol §15). */
  memberNames: Record<string, string>;
  /** Guardians: people asking to join and admitted people's devices waiting for approval (polled). */
  waiting: { joins: number; devices: number };
  /** Guardians: what each toy is asked to keep (docs/protocol.md §18) and how many it can. */
  favourites: { slots: number; kept: { toyId: string; messageId: string }[] };
}

/** A password sign-in that waits for its second factor: its token and the methods it can use. */
export type PendingSignIn = Pick<SecondFactorRequired, 'pendingToken' | 'methods'>;

export type SendStage =
  { stage: 'sealing' } | { stage: 'uploading'; progress: UploadProgress } | { stage: 'posting' };

const DB_NAME = 'burrow';
/** How often an open app checks its key schedule when nothing else makes it sync. */
const KEY_CHECK_MS = 60 * 60 * 1000;

export class Guardian {
  private state: GuardianState;
  private readonly listeners = new Set<() => void>();
  private stream: Stream | undefined;
  private peopleTimer: number | undefined;
  private syncing: Promise<unknown> = Promise.resolve();
  private keyTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly api: ApiClient,
    private readonly device: FamilyDevice,
    private readonly store: IdbStore,
    private readonly archive: MessageArchive,
    private readonly uploads: UploadTracker,
  ) {
    this.state = {
      phase: 'loading',
      error: null,
      email: null,
      deviceId: device.deviceId,
      renewalPending: false,
      familyId: null,
      role: null,
      children: [],
      toys: [],
      roster: null,
      accountDevices: [],
      inRoster: false,
      messages: [],
      receipts: {},
      live: false,
      senderName: '',
      returning: false,
      recoveryCodes: null,
      mustAddSecondFactor: false,
      reviews: [],
      departedDevices: [],
      memberNames: {},
      waiting: { joins: 0, devices: 0 },
      favourites: { slots: 5, kept: [] },
    };
  }

  /** Opens this browser's device (generating its keys on first use) and resumes a session if any. */
  static async open(baseUrl: string): Promise<Guardian> {
    const store = await IdbStore.open(DB_NAME);
    const uploads = new UploadTracker();
    const api = new ApiClient({ baseUrl, fetch: uploads.fetch });
    const device = await FamilyDevice.open({
      api,
      store,
      onRefused: (envelope, reason) => console.warn(`Refused message ${envelope.id}: ${reason}`),
    });
    const guardian = new Guardian(api, device, store, new MessageArchive(store.db), uploads);
    void guardian.resume();
    return guardian;
  }

  // --- store for React (useSyncExternalStore) ---

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): GuardianState => this.state;

  private set(patch: Partial<GuardianState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  // --- session ---

  private async resume(): Promise<void> {
    const [senderName, returning] = await Promise.all([
      this.store.get<string>('ui:senderName'),
      this.store.get<boolean>('ui:returning'),
    ]);
    this.set({ senderName: senderName ?? '', returning: returning === true });
    try {
      await this.enter();
    } catch (err) {
      if (isApiError(err, 'unauthenticated')) this.set({ phase: 'signed-out' });
      else this.set({ phase: 'failed', error: describeError(err) });
    }
  }

  async signUp(email: string, password: string): Promise<void> {
    // Sets the session cookie; the token in the body is not kept. The recovery codes are shown once.
    const res = await this.api.signUp(email, password);
    // Shown once this browser's device is registered and the account loaded, not while that runs:
    // confirming the codes mid-way used to race the phase change (sign-up form back, then setup).
    try {
      await this.signedIn();
    } finally {
      this.set({ recoveryCodes: res.recoveryCodes ?? null });
    }
  }

  /** The person saw and confirmed their recovery codes: they are forgotten here. */
  recoveryCodesSaved(): void {
    this.set({ recoveryCodes: null });
  }

  /** Signs in with a password; returns the pending sign-in when a second factor is needed. */
  async logIn(email: string, password: string): Promise<PendingSignIn | null> {
    const res = await this.api.logIn(email, password);
    if ('secondFactorRequired' in res) return { pendingToken: res.pendingToken, methods: res.methods };
    await this.signedIn();
    return null;
  }

  /** After any sign-in set the session cookie (password, second step, passkey): register and load. */
  async signedIn(): Promise<void> {
    await this.store.set('ui:returning', true);
    await this.device.registerDevice();
    await this.enter();
  }

  /** Re-reads whether a family still waits for this account's second factor (after enrolling). */
  async refreshSecurity(): Promise<void> {
    const me = await this.api.getMe();
    const mustAdd = (me as { security?: { mustAdd?: boolean } }).security?.mustAdd === true;
    const was = this.state.mustAddSecondFactor;
    this.set({ mustAddSecondFactor: mustAdd });
    if (was && !mustAdd) void this.enter();
  }

  async logOut(): Promise<void> {
    clearInterval(this.keyTimer);
    this.keyTimer = undefined;
    window.clearInterval(this.peopleTimer);
    this.peopleTimer = undefined;
    this.stream?.close();
    this.stream = undefined;
    await this.api.logOut().catch(() => undefined);
    this.set({
      phase: 'signed-out',
      email: null,
      familyId: null,
      role: null,
      children: [],
      toys: [],
      roster: null,
      accountDevices: [],
      messages: [],
      receipts: {},
      live: false,
      returning: true,
      reviews: [],
      departedDevices: [],
      memberNames: {},
    });
  }

  /** After a session exists: make sure this browser's device is registered, then load the family. */
  private async enter(): Promise<void> {
    let me = await this.api.getMe();
    if (!me.devices.some((d) => d.deviceId === this.device.deviceId)) {
      await this.device.registerDevice();
      me = await this.api.getMe();
    }
    this.set({
      mustAddSecondFactor: (me as { security?: { mustAdd?: boolean } }).security?.mustAdd === true,
      renewalPending: await this.device.renewalPending(),
    });
    const family = me.families.find((f) => f.role === 'guardian') ?? me.families[0];
    this.set({
      email: me.email,
      accountDevices: me.devices.map((d) => d.deviceId),
      familyId: family?.familyId ?? null,
      role: family?.role ?? null,
    });
    if (!family) {
      this.set({ phase: 'setup' });
      return;
    }
    if (this.state.mustAddSecondFactor) {
      // The family's operations wait for a second factor: open the app (its banner leads to
      // Security) without loading what the server would refuse.
      this.set({ messages: await this.archive.all(), phase: 'ready' });
      return;
    }
    await this.loadFamily();
    this.set({ messages: await this.archive.all() });
    this.set({ phase: this.state.children.length === 0 ? 'setup' : 'ready' });
    this.startStream();
    void this.refreshReviews();
    void this.refreshFavourites();
  }

  // --- favourites kept on the toys (docs/protocol.md §18) ---

  async refreshFavourites(): Promise<void> {
    if (this.state.role !== 'guardian' || !this.state.familyId) return;
    const { slots, favourites } = await this.api.listFavourites(this.state.familyId);
    this.set({
      favourites: { slots, kept: favourites.map(({ toyId, messageId }) => ({ toyId, messageId })) },
    });
  }

  /**
   * Keeps a message on the family's toys it was sent to, or lets it go: this device signs one
   * instruction per toy, each toy verifies it itself. A toy the message was not sent to answers 400
   * and is skipped; any other refusal (a full toy's 409) is shown.
   */
  async keepOnToy(messageId: string, keep: boolean): Promise<void> {
    const familyId = this.requireFamily();
    let done = 0;
    let refusal: Error | null = null;
    for (const toy of this.state.toys) {
      try {
        await this.device.setFavourite(familyId, toy.toyId, messageId, keep);
        done++;
      } catch (err) {
        if (!isApiError(err, 'bad_request'))
          refusal ??= err instanceof Error ? err : new Error(describeError(err));
      }
    }
    await this.refreshFavourites();
    if (refusal) throw refusal;
    if (done === 0) throw new Error(t('guardianErrors.notOurToy'));
  }

  // --- family ---

  /** Reloads the family: the roster (verified by chain), children (names opened here) and toys. */
  async loadFamily(): Promise<void> {
    const familyId = this.state.familyId;
    if (!familyId) return;
    const summary = await this.api.getFamily(familyId);
    const roster = await this.device.roster(familyId);
    const inRoster = findDevice(roster, this.device.deviceId) !== undefined;
    const children: Child[] = [];
    for (const child of summary.children) {
      let name = t('names.yourChild');
      if (child.profile && inRoster) {
        try {
          const meta = await this.device.openRecord(familyId, child.profile);
          if (typeof meta.childName === 'string') name = meta.childName;
        } catch {
          // A profile this browser cannot open keeps the placeholder name.
        }
      }
      children.push({ childId: child.childId, name });
    }
    const memberNames = inRoster ? Object.fromEntries(await this.device.memberNames(familyId)) : {};
    this.set({
      roster,
      inRoster,
      memberNames,
      departedDevices: summary.departedDevices,
      children,
      toys: summary.toys.map((t) => ({
        toyId: t.toyId,
        childId: t.childId,
        name: null,
        online: false,
        lastSeenAt: null,
        unplayed: 0,
      })),
    });
    // This device's name reaches the family once it is in the roster, and again after a change.
    const mine = this.state.senderName;
    if (inRoster && mine && memberNames[this.device.deviceId] !== mine) {
      try {
        await this.device.publishMemberName(familyId, mine);
        this.set({ memberNames: { ...memberNames, [this.device.deviceId]: mine } });
      } catch (err) {
        // The family still loads; the next reload tries again.
        console.warn('publishing this device’s name failed:', describeError(err));
      }
    }
    await this.loadToys();
  }

  /** The toys list: names (opened here), presence and unplayed counts. */
  async loadToys(): Promise<void> {
    const familyId = this.state.familyId;
    if (!familyId) return;
    const { toys } = await this.api.listToys(familyId);
    const opened: Toy[] = [];
    for (const t of toys) {
      let name: string | null = null;
      if (t.name && this.state.inRoster) {
        try {
          const meta = await this.device.openRecord(familyId, t.name);
          if (typeof meta.toyName === 'string' && meta.toyId === t.toyId) name = meta.toyName;
        } catch {
          // Sealed before this browser joined the family: it keeps the child-based name.
        }
      }
      opened.push({
        toyId: t.toyId,
        childId: t.childId,
        name,
        online: t.online,
        lastSeenAt: t.lastSeenAt,
        unplayed: t.unplayed,
      });
    }
    this.set({ toys: opened });
  }

  /** Names a toy; the name is sealed to the family's devices (the server cannot read it). */
  async renameToy(toyId: string, name: string): Promise<void> {
    await this.device.renameToy(this.requireFamily(), toyId, name.trim());
    await this.loadToys();
  }

  // --- deleting (docs/api.md "Deleting") ---

  /** Guardians: signs the roster without the devices of deleted accounts; the server then forgets them. */
  async removeDepartedDevices(): Promise<void> {
    await this.removeDevices(this.state.departedDevices);
  }

  /** Deletes a child's profile: each of their toys is unpaired first (told, it wipes itself). */
  async deleteChild(childId: string): Promise<void> {
    const familyId = this.requireFamily();
    for (const toy of this.state.toys.filter((t) => t.childId === childId))
      await this.device.unpairToy(familyId, toy.toyId);
    await this.api.deleteChild(familyId, childId);
    await this.loadFamily();
  }

  /** Deletes the whole family (its toys are told and wipe themselves); the account stays, back at setup. */
  async deleteFamily(proof: ConfirmOwnerBody): Promise<void> {
    await this.api.deleteFamily(this.requireFamily(), proof);
    this.stream?.close();
    this.stream = undefined;
    this.set({
      familyId: null,
      role: null,
      roster: null,
      children: [],
      toys: [],
      messages: [],
      receipts: {},
      reviews: [],
      departedDevices: [],
      memberNames: {},
    });
    await this.enter();
  }

  /**
   * Deletes the account. This browser's keys and message archive belonged to it, so they are deleted
   * too, and the app starts again from a fresh device (a reload).
   */
  async deleteAccount(proof: ConfirmOwnerBody): Promise<void> {
    await this.api.deleteAccount(proof);
    this.stream?.close();
    this.stream = undefined;
    this.store.db.close();
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    window.location.assign('/login?deleted=1');
  }

  /** Unpairs a toy: a roster without it; the server revokes it and the toy wipes itself. */
  async unpairToy(toyId: string): Promise<void> {
    await this.device.unpairToy(this.requireFamily(), toyId);
    await this.loadFamily();
  }

  /**
   * A guardian marks a toy lost or stolen: unpaired at once as by unpairToy (its waiting messages are
   * deleted; if it connects again it is refused and wipes itself); the server keeps its last check-in.
   */
  async markToyLost(toyId: string): Promise<void> {
    await this.device.markToyLost(this.requireFamily(), toyId);
    await this.loadFamily();
  }

  /** Toys a guardian marked lost, newest first, with when each last checked in. */
  async lostToys(): Promise<LostToy[]> {
    return (await this.api.listLostToys(this.requireFamily())).toys;
  }

  /** Its sender (any device of this account) or a guardian may delete a message (the server checks too). */
  canDelete(message: ArchivedMessage): boolean {
    return (
      this.state.role === 'guardian' ||
      message.from === this.device.deviceId ||
      this.state.accountDevices.includes(message.from)
    );
  }

  /**
   * Deletes a message: the server's copy, and through this device's signed instruction the copy on
   * any toy that has not played it (FamilyDevice.deleteMessage); then this browser's own copy. A
   * message the server no longer holds (expired, or deleted from another device) is only forgotten here.
   */
  async deleteMessage(messageId: string): Promise<void> {
    try {
      await this.device.deleteMessage(this.requireFamily(), messageId);
    } catch (err) {
      if (!isApiError(err, 'not_found')) throw err;
    }
    await this.forgetMessage(messageId);
  }

  /** Drops a deleted message from this browser's archive (also on a `deleted` stream event). */
  private async forgetMessage(messageId: string): Promise<void> {
    await this.archive.remove(messageId);
    this.set({ messages: await this.archive.all() });
  }

  private onPresence(toyId: string, online: boolean, lastSeenAt: number): void {
    if (!this.state.toys.some((t) => t.toyId === toyId)) return;
    this.set({ toys: this.state.toys.map((t) => (t.toyId === toyId ? { ...t, online, lastSeenAt } : t)) });
  }

  /**
   * First run: the family (its genesis roster names this browser as guardian) and the first child,
   * whose name is sealed to the family. Consent to the privacy notice is asked before this is called.
   */
  async setUp(input: { childName: string; senderName: string; consentedNotice: string }): Promise<void> {
    // The server has no consent record yet; this browser keeps which notice was agreed to, and when.
    await this.store.set('consent', { notice: input.consentedNotice, at: Date.now() });
    await this.saveSenderName(input.senderName);
    let familyId = this.state.familyId;
    if (!familyId) {
      familyId = await this.device.createFamily();
      this.set({ familyId, role: 'guardian' });
    }
    await this.device.createChild(familyId, input.childName.trim());
    await this.loadFamily();
    this.set({ phase: 'ready' });
    this.startStream();
  }

  async addChild(name: string): Promise<void> {
    const familyId = this.requireFamily();
    await this.device.createChild(familyId, name.trim());
    await this.loadFamily();
  }

  async saveSenderName(name: string): Promise<void> {
    await this.store.set('ui:senderName', name.trim());
    this.set({ senderName: name.trim() });
    const familyId = this.state.familyId;
    if (
      familyId &&
      this.state.inRoster &&
      name.trim() &&
      this.state.memberNames[this.device.deviceId] !== name.trim()
    ) {
      await this.device.publishMemberName(familyId, name.trim());
      this.set({ memberNames: { ...this.state.memberNames, [this.device.deviceId]: name.trim() } });
    }
  }

  /**
   * What a guardian calls a person: the name they chose ("Grandma") from any of their devices, else
   * the email a guardian needs to tell accounts apart, else "A family member".
   */
  personName(deviceIds: readonly string[], email?: string | null): string {
    for (const id of deviceIds) {
      const name = this.state.memberNames[id];
      if (name) return name;
    }
    return email ?? t('activity.aMember');
  }

  /** Claims the toy in hand with the code it shows (the toy's keys are checked against the code). */
  async pairToy(code: string, childId: string): Promise<string> {
    const familyId = this.requireFamily();
    const toyId = await this.device.claimToy(familyId, childId, code);
    await this.loadFamily();
    return toyId;
  }

  /**
   * The family's only guardian lost every approved device: one of the account's recovery codes and
   * the code the toy shows while its pairing button is held make this browser the guardian
   * (FamilyDevice.recoverGuardian; docs/safety.md).
   */
  async recoverGuardian(recoveryCode: string, pairingCode: string): Promise<void> {
    await this.device.recoverGuardian(this.requireFamily(), recoveryCode.trim(), pairingCode);
    await this.loadFamily();
  }

  private requireFamily(): string {
    if (!this.state.familyId) throw new Error(t('devices.noFamily'));
    return this.state.familyId;
  }

  // --- messages ---

  /**
   * Seals the recording in this browser (FamilyDevice.sendVoice: a fresh content key, HPKE to each
   * toy and to this device, signed), uploads the ciphertext, posts the envelope. Timings are left as
   * performance measures `burrow:seal`, `burrow:upload` and `burrow:send`.
   */
  async send(recording: Recording, toyIds: string[], onStage: (stage: SendStage) => void): Promise<string> {
    const familyId = this.requireFamily();
    onStage({ stage: 'sealing' });
    const started = performance.mark('burrow:send:start');
    let uploadStarted: PerformanceMark | undefined;
    const stop = this.uploads.listen((progress) => {
      uploadStarted ??= performance.mark('burrow:send:sealed');
      onStage(progress.loaded >= progress.total ? { stage: 'posting' } : { stage: 'uploading', progress });
    });
    let messageId: string;
    try {
      messageId = await this.device.sendVoice(familyId, toyIds, recording.bytes, {
        mimeType: recording.mimeType,
        durationMs: recording.durationMs,
        ...(this.state.senderName ? { senderName: this.state.senderName } : {}),
      });
    } catch (err) {
      // The server answers a removed or blocked person as it answers a stranger ("No such family",
      // so family ids cannot be probed). This browser was in the family, so say what that means here.
      if (isApiError(err, 'not_found') && /family/i.test(err.message))
        throw new ApiError(err.status, err.code, t('guardianErrors.blocked'));
      throw err;
    } finally {
      stop();
    }
    const done = performance.mark('burrow:send:done');
    if (uploadStarted) {
      performance.measure('burrow:seal', started.name, uploadStarted.name);
      performance.measure('burrow:upload', uploadStarted.name, done.name);
    }
    performance.measure('burrow:send', started.name, done.name);
    await this.archive.put({
      messageId,
      familyId,
      from: this.device.deviceId,
      createdAt: Date.now(),
      mimeType: recording.mimeType,
      durationMs: recording.durationMs,
      senderName: this.state.senderName || null,
      audio: recording.blob,
      to: toyIds,
      heard: true,
    });
    this.set({ messages: await this.archive.all() });
    void this.refreshReceipts();
    return messageId;
  }

  /** Pulls, verifies and opens new messages; serialised so two wake-ups never race on the cursor. */
  sync(): Promise<unknown> {
    this.syncing = this.syncing
      .then(() => this.syncNow())
      .catch((err: unknown) => console.warn('sync failed:', describeError(err)));
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    // A renewal a guardian's device has performed since: switch to the new identity first (the old
    // one is no longer in the roster, so nothing below would run for it).
    if (
      this.state.familyId &&
      this.state.renewalPending &&
      (await this.device.adoptRenewedIdentity(this.state.familyId))
    ) {
      void this.afterRenewal();
      return;
    }
    if (!this.state.familyId || !this.state.inRoster) return;
    const received = await this.device.sync();
    for (const m of received) {
      const mimeType = typeof m.meta.mimeType === 'string' ? m.meta.mimeType : 'application/octet-stream';
      // A toy does not name itself in what it seals: its name as the family knows it now is kept
      // with the answer, so the answer is still "Bunny"'s once the toy is unpaired or renewed
      // (senderLabel prefers the live name while the toy is in the family).
      const senderName =
        typeof m.meta.senderName === 'string'
          ? m.meta.senderName
          : this.isToy(m.from)
            ? this.toyName(m.from)
            : null;
      await this.archive.put({
        messageId: m.messageId,
        familyId: m.familyId,
        from: m.from,
        createdAt: m.createdAt,
        mimeType,
        durationMs: typeof m.meta.durationMs === 'number' ? m.meta.durationMs : null,
        senderName,
        audio: new Blob([m.audio as Uint8Array<ArrayBuffer>], { type: mimeType }),
      });
    }
    if (received.length > 0) this.set({ messages: await this.archive.all() });
    // An answer from a toy while the app is in the background: a system notification (notify.ts).
    const answer = received.find((m) => this.isToy(m.from));
    if (answer) {
      const child = this.childOfToy(answer.from)?.name ?? t('names.yourChild');
      void notifyInBackground(
        t('names.answered', { child }),
        t('names.answeredBody', { toy: this.toyName(answer.from) }),
        `answer-${answer.messageId}`,
        '/listen',
      );
    }
    // This browser's KEM key rotates and old ones are erased like the toy's (docs/protocol.md §14.3);
    // the device checks at most hourly, so calling it on every sync costs nothing.
    await this.device
      .maintainKeys(this.state.familyId)
      .catch((err: unknown) => console.warn('key rotation failed:', describeError(err)));
  }

  /**
   * Renews this browser's identity key without pairing again (docs/protocol.md §17): a guardian's
   * browser does it at once; a family member's waits until a guardian's device approves it (it does
   * so by itself when it next syncs).
   */
  async renewIdentity(): Promise<'renewed' | 'waiting'> {
    const { renewed } = await this.device.renewIdentity(this.requireFamily());
    if (renewed) await this.afterRenewal();
    else this.set({ renewalPending: true });
    return renewed ? 'renewed' : 'waiting';
  }

  /** The device id changed: reconnect the stream under it, reload, and name the new device. */
  private async afterRenewal(): Promise<void> {
    this.stream?.close();
    this.stream = undefined;
    this.set({ deviceId: this.device.deviceId, renewalPending: false });
    await this.enter();
    if (this.state.senderName) await this.saveSenderName(this.state.senderName).catch(() => undefined);
  }

  async refreshReceipts(): Promise<void> {
    try {
      // Every page: a status for the 51st message sent is as true as for the first.
      const messages: SentItem[] = [];
      for (let after = 0; ;) {
        const page = await this.api.listSent(after);
        messages.push(...page.messages);
        const last = page.messages.at(-1);
        if (!last || last.seq <= after) break;
        after = last.seq;
      }
      const receipts: Record<string, Receipt> = {};
      for (const m of messages) {
        // The toys' receipts only: a message to a toy is sealed to the guardians too (they hear
        // everything), and a guardian's browser fetching it is not the toy having it.
        const fromToys = m.receipts.filter(
          (r) => m.toys.some((t) => t.toyId === r.deviceId) || this.isToy(r.deviceId),
        );
        receipts[m.messageId] = {
          delivered: fromToys.some((r) => r.kind === 'delivered' || r.kind === 'played'),
          played: fromToys.some((r) => r.kind === 'played'),
          declined: fromToys.some((r) => r.kind === 'declined'),
          toys: m.toys,
        };
      }
      this.set({ receipts });
    } catch (err) {
      console.warn('receipts failed:', describeError(err));
    }
  }

  /** The listener played a message: remember it here and tell its sender. */
  async markHeard(messageId: string): Promise<void> {
    const message = this.state.messages.find((m) => m.messageId === messageId);
    if (!message || message.heard) return;
    await this.archive.markHeard(messageId);
    this.set({ messages: await this.archive.all() });
    // Only the toy's answers are acknowledged as played: a guardian listening to a relative's message
    // to the toy must not tell the relative "played" (that is the toy's to say).
    if (this.isToy(message.from)) await this.device.markPlayed(messageId).catch(() => undefined);
  }

  /**
   * Guardians learn within seconds, on any page, that someone asks to join or that a new device (their
   * own second phone, say) waits for approval: the server has no stream event for these, so the
   * guardian's browser asks every few seconds. Hidden, it shows a system notification (notify.ts).
   */
  private watchPeople(): void {
    if (this.peopleTimer !== undefined) return;
    const check = async () => {
      const familyId = this.state.familyId;
      if (this.state.role !== 'guardian' || !this.state.inRoster || !familyId) return;
      try {
        const [requests, pending] = await Promise.all([
          this.api.listJoinRequests(familyId),
          this.api.listPendingDevices(familyId),
        ]);
        const waiting = {
          joins: requests.requests.filter((r) => r.status === 'pending').length,
          devices: pending.devices.length,
        };
        const before = this.state.waiting;
        if (waiting.joins > before.joins)
          void notifyInBackground(
            t('guardianErrors.joinTitle'),
            t('guardianErrors.joinBody'),
            'join',
            '/family',
          );
        if (waiting.devices > before.devices)
          void notifyInBackground(
            t('guardianErrors.deviceTitle'),
            t('guardianErrors.deviceBody'),
            'device',
            '/family',
          );
        if (waiting.joins !== before.joins || waiting.devices !== before.devices) this.set({ waiting });
      } catch (err) {
        console.warn('checking who waits failed:', describeError(err));
      }
    };
    void check();
    this.peopleTimer = window.setInterval(() => void check(), 5000);
  }

  private startStream(): void {
    this.watchPeople();
    if (this.stream) return;
    // A quiet family still rotates and erases this browser's keys on time (sync runs the schedule).
    this.keyTimer ??= setInterval(() => void this.sync(), KEY_CHECK_MS);
    this.stream = openStream({
      connect: () => new WebSocket(this.api.streamUrl()) as unknown as SocketLike,
      onOpen: () => {
        this.set({ live: true });
        // Events published before this socket subscribed (the first connect follows a loadFamily,
        // a reconnect follows a gap) are not replayed: reload what they would have announced. A
        // guardian re-seals the names right after admitting a device, often before that device's
        // stream is open.
        this.loadFamily()
          .then(() => this.sync())
          .catch((err: unknown) =>
            console.warn('reload after the stream opened failed:', describeError(err)),
          );
        void this.refreshReceipts();
      },
      onClose: () => this.set({ live: false }),
      onEvent: (event) => {
        // A reload an event starts runs beside the stream: a failure is reported, never left as an
        // unhandled rejection, and the next event (or the reconnect's sync) tries again.
        const reload = (what: string, work: Promise<unknown>): void => {
          work.catch((err: unknown) =>
            console.warn(`${what} after a ${event.type} event failed:`, describeError(err)),
          );
        };
        // Unplayed counts change with messages and receipts.
        if (event.type === 'message')
          reload(
            'sync',
            this.sync().then(() => this.loadToys()),
          );
        else if (event.type === 'receipt')
          reload(
            'receipts',
            this.refreshReceipts().then(() => this.loadToys()),
          );
        else if (event.type === 'presence' && typeof event.toyId === 'string')
          this.onPresence(
            event.toyId,
            event.online === true,
            typeof event.lastSeenAt === 'number' ? event.lastSeenAt : Date.now(),
          );
        else if (event.type === 'toys') reload('toys', this.loadToys());
        else if (event.type === 'favourite') reload('favourites', this.refreshFavourites());
        // Its sender or a guardian deleted a message: an open browser of the family drops its copy too.
        else if (event.type === 'deleted' && typeof event.messageId === 'string')
          reload(
            'deletion',
            this.forgetMessage(event.messageId).then(() => this.loadToys()),
          );
        // A review decided changes where a sent message is (approved: now queued for the toy).
        else if (event.type === 'review')
          reload(
            'reviews',
            this.refreshReviews().then(() => this.refreshReceipts()),
          );
        else if (event.type === 'roster' || event.type === 'pairing' || event.type === 'children')
          reload(
            'family',
            this.loadFamily().then(() => this.sync()),
          );
      },
    });
  }

  // --- who may talk to the child (docs/safety.md) ---

  /** Creates a single-use invitation; its code is shown once. */
  invite(): Promise<CreateInvitationResponse> {
    return this.device.invite(this.requireFamily());
  }

  /** What the Family page lists: join requests (pending and approved), devices waiting, blocks. */
  async familyPeople(): Promise<{
    requests: JoinRequest[];
    pendingDevices: PendingDevice[];
    blocks: ListBlocksResponse['blocks'];
  }> {
    const familyId = this.requireFamily();
    const [requests, pending, blocks] = await Promise.all([
      this.api.listJoinRequests(familyId),
      this.api.listPendingDevices(familyId),
      this.api.listBlocks(familyId),
    ]);
    return { requests: requests.requests, pendingDevices: pending.devices, blocks: blocks.blocks };
  }

  async approveJoinRequest(requestId: string, grant: Grant): Promise<void> {
    await this.device.approveJoinRequest(this.requireFamily(), requestId, grant);
    await this.loadFamily();
  }

  async declineJoinRequest(requestId: string): Promise<void> {
    await this.device.declineJoinRequest(this.requireFamily(), requestId);
  }

  async approveDevice(deviceId: string, grant: Grant): Promise<void> {
    await this.device.approveDevice(this.requireFamily(), deviceId, grant);
    await this.loadFamily();
  }

  async removeDevices(deviceIds: string[]): Promise<void> {
    await this.device.removeDevices(this.requireFamily(), deviceIds);
    await this.loadFamily();
  }

  async block(accountId: string): Promise<void> {
    await this.device.blockMember(this.requireFamily(), accountId);
    await this.loadFamily();
  }

  async unblock(accountId: string): Promise<void> {
    await this.api.unblockAccount(this.requireFamily(), accountId);
  }

  /** Whether an invitation code can still be used, before any account exists (404 / 410 otherwise). */
  async checkInvitation(code: string): Promise<void> {
    await this.api.checkInvitation(code.trim());
  }

  /** A relative asks to join with the code a guardian shared. */
  async requestToJoin(code: string): Promise<void> {
    await this.device.requestToJoin(code.trim());
  }

  /** While a join request waits: true once a guardian approved it and the app has entered the family. */
  async checkJoined(): Promise<boolean> {
    const me = await this.api.getMe();
    if (me.families.length === 0) return false;
    await this.enter();
    return true;
  }

  /**
   * This browser's device fingerprint (docs/protocol.md §12): a guardian approving this device sees
   * the same digits, computed from the keys the server gave them, and compares them with these.
   */
  fingerprint(): string {
    return deviceFingerprint({
      signPublicKey: toBase64url(this.device.keys.signPublicKey),
      kemPublicKey: toBase64url(this.device.keys.kemPublicKey),
    });
  }

  // --- review before play (docs/safety.md) ---

  /** Reloads the review queue (guardians only; others have none). */
  async refreshReviews(): Promise<void> {
    if (this.state.role !== 'guardian' || !this.state.familyId) return;
    try {
      this.set({ reviews: await this.device.listReviews(this.state.familyId) });
    } catch (err) {
      console.warn('reviews failed:', describeError(err));
    }
  }

  /** Opens a waiting message in this browser (it is sealed to the guardians) to listen before deciding. */
  async openReview(
    messageId: string,
  ): Promise<{ audio: Blob; senderName: string | null; durationMs: number | null }> {
    const pending = this.state.reviews.find((r) => r.messageId === messageId);
    if (!pending) throw new Error(t('guardianErrors.noLongerWaiting'));
    const { meta, audio } = await this.device.openReview(this.requireFamily(), pending);
    const type = typeof meta.mimeType === 'string' ? meta.mimeType : 'application/octet-stream';
    return {
      audio: new Blob([audio as Uint8Array<ArrayBuffer>], { type }),
      senderName: typeof meta.senderName === 'string' ? meta.senderName : null,
      durationMs: typeof meta.durationMs === 'number' ? meta.durationMs : null,
    };
  }

  /** Approves a waiting message: this device signs a review for each toy; the toys then play it. */
  async approveReview(messageId: string): Promise<void> {
    await this.device.approveMessage(this.requireFamily(), messageId);
    await this.refreshReviews();
  }

  /** Declines a waiting message: it is deleted and its sender is told. */
  async declineReview(messageId: string): Promise<void> {
    await this.device.declineMessage(this.requireFamily(), messageId);
    await this.refreshReviews();
  }

  /** People whose messages a guardian may put under review: admitted members and their devices. */
  async reviewablePeople(): Promise<{ accountId: string; email: string; deviceIds: string[] }[]> {
    const { requests } = await this.api.listJoinRequests(this.requireFamily());
    const roster = this.state.roster;
    return requests
      .filter((r) => r.status === 'approved')
      .map((r) => ({
        accountId: r.accountId,
        email: r.email,
        deviceIds: r.devices
          .map((d) => d.deviceId)
          .filter((id) => roster?.devices.some((d) => d.id === id && d.role === 'member')),
      }))
      .filter((p) => p.deviceIds.length > 0);
  }

  toySettings(toyId: string): Promise<ToySettingsResponse> {
    return this.api.getToySettings(this.requireFamily(), toyId);
  }

  async setQuietHours(toyId: string, timeZone: string, quietHours: QuietHours | null): Promise<void> {
    await this.device.setQuietHours(this.requireFamily(), toyId, timeZone, quietHours);
  }

  /** One signed settings change for a toy: quiet hours, volume (0-100), review list (protocol §10-11). */
  async setToySettings(toyId: string, change: ToySettingsChange): Promise<ToySettingsWire> {
    return this.device.setToySettings(this.requireFamily(), toyId, change);
  }

  // --- derived views ---

  isToy(deviceId: string): boolean {
    return (
      this.state.toys.some((t) => t.toyId === deviceId) ||
      this.state.roster?.devices.some((d) => d.id === deviceId && d.role === 'toy') === true
    );
  }

  childOfToy(toyId: string): Child | undefined {
    const toy = this.state.toys.find((t) => t.toyId === toyId);
    return this.state.children.find((c) => c.childId === toy?.childId);
  }

  /** "Mia’s toy", or "Mia’s toy 2" when a child has more than one. */
  toyName(toyId: string): string {
    const named = this.state.toys.find((t) => t.toyId === toyId)?.name;
    if (named) return named;
    const child = this.childOfToy(toyId);
    if (!child) return t('names.theToy');
    // Numbered in pairing order, which is their order in the roster.
    const order = (id: string) => this.state.roster?.devices.findIndex((d) => d.id === id) ?? 0;
    const siblings = this.state.toys
      .filter((t) => t.childId === child.childId)
      .sort((a, b) => order(a.toyId) - order(b.toyId));
    const index = siblings.findIndex((t) => t.toyId === toyId);
    return siblings.length > 1 && index > 0
      ? t('names.toyOfNumbered', { child: child.name, n: index + 1 })
      : t('names.toyOf', { child: child.name });
  }

  /** Who a message is from, as the timeline shows it. */
  senderLabel(message: ArchivedMessage): string {
    if (message.from === this.device.deviceId) return t('names.you');
    if (this.isToy(message.from)) return this.toyName(message.from);
    return message.senderName ?? this.state.memberNames[message.from] ?? t('roles.member');
  }

  /** Messages to a toy, from anyone in the family, that it has not played yet (the server counts them). */
  unplayedFor(toyId: string): number {
    return this.state.toys.find((t) => t.toyId === toyId)?.unplayed ?? 0;
  }
}
