/**
 * Signing in and out, entering the family (what loads, in which order), first-run setup, this
 * browser's identity renewal, and deleting the family or the account.
 *
 * Authentication is the HttpOnly `burrow_session` cookie: the token in the sign-up and log-in answers
 * is ignored, so no script on the page ever holds it. The acting device is sent as X-Burrow-Device
 * (ApiClient.deviceId) and as `?device=` on the stream.
 */
import type { ConfirmOwnerBody } from '@burrow/api';
import { isApiError } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { DB_NAME, type GuardianCore } from './core.js';
import type { Family } from './family.js';
import type { Favourites } from './favourites.js';
import type { Live } from './live.js';
import type { Reviews } from './reviews.js';
import { NO_FAMILY, type PendingSignIn } from './state.js';

/** The session answer's second-factor flag (not in every server's /v1/me yet). */
function mustAddSecondFactor(me: unknown): boolean {
  return (me as { security?: { mustAdd?: boolean } }).security?.mustAdd === true;
}

export class Session {
  constructor(
    private readonly core: GuardianCore,
    private readonly parts: { family: Family; live: Live; reviews: Reviews; favourites: Favourites },
  ) {}

  /** At start: what this browser remembers, then the session if the cookie still holds one. */
  async resume(): Promise<void> {
    const { store } = this.core;
    const [senderName, returning] = await Promise.all([
      store.get<string>('ui:senderName'),
      store.get<boolean>('ui:returning'),
    ]);
    this.core.set({ senderName: senderName ?? '', returning: returning === true });
    try {
      await this.enter();
    } catch (err) {
      if (isApiError(err, 'unauthenticated')) this.core.set({ phase: 'signed-out' });
      else this.core.set({ phase: 'failed', error: describeError(err) });
    }
  }

  async signUp(email: string, password: string): Promise<void> {
    // Sets the session cookie; the token in the body is not kept. The recovery codes are shown once.
    const res = await this.core.api.signUp(email, password);
    // Shown once this browser's device is registered and the account loaded, not while that runs:
    // confirming the codes mid-way used to race the phase change (sign-up form back, then setup).
    try {
      await this.signedIn();
    } finally {
      this.core.set({ recoveryCodes: res.recoveryCodes ?? null });
    }
  }

  /** The person saw and confirmed their recovery codes: they are forgotten here. */
  recoveryCodesSaved(): void {
    this.core.set({ recoveryCodes: null });
  }

  /** Signs in with a password; returns the pending sign-in when a second factor is needed. */
  async logIn(email: string, password: string): Promise<PendingSignIn | null> {
    const res = await this.core.api.logIn(email, password);
    if ('secondFactorRequired' in res) return { pendingToken: res.pendingToken, methods: res.methods };
    await this.signedIn();
    return null;
  }

  /** After any sign-in set the session cookie (password, second step, passkey): register and load. */
  async signedIn(): Promise<void> {
    await this.core.store.set('ui:returning', true);
    await this.core.device.registerDevice();
    await this.enter();
  }

  /** Re-reads whether a family still waits for this account's second factor (after enrolling). */
  async refreshSecurity(): Promise<void> {
    const mustAdd = mustAddSecondFactor(await this.core.api.getMe());
    const was = this.core.state.mustAddSecondFactor;
    this.core.set({ mustAddSecondFactor: mustAdd });
    if (was && !mustAdd) void this.enter();
  }

  async logOut(): Promise<void> {
    this.parts.live.stop();
    await this.core.api.logOut().catch(() => undefined);
    this.core.set({
      ...NO_FAMILY,
      phase: 'signed-out',
      email: null,
      accountDevices: [],
      live: false,
      returning: true,
    });
  }

  /** After a session exists: make sure this browser's device is registered, then load the family. */
  private async enter(): Promise<void> {
    const { api, device, archive } = this.core;
    let me = await api.getMe();
    if (!me.devices.some((d) => d.deviceId === device.deviceId)) {
      await device.registerDevice();
      me = await api.getMe();
    }
    this.core.set({
      mustAddSecondFactor: mustAddSecondFactor(me),
      renewalPending: await device.renewalPending(),
    });
    const family = me.families.find((f) => f.role === 'guardian') ?? me.families[0];
    this.core.set({
      email: me.email,
      accountDevices: me.devices.map((d) => d.deviceId),
      familyId: family?.familyId ?? null,
      role: family?.role ?? null,
    });
    if (!family) {
      this.core.set({ phase: 'setup' });
      return;
    }
    if (this.core.state.mustAddSecondFactor) {
      // The family's operations wait for a second factor: open the app (its banner leads to
      // Security) without loading what the server would refuse.
      this.core.set({ messages: await archive.all(), phase: 'ready' });
      return;
    }
    await this.parts.family.loadFamily();
    await this.core.reloadMessages();
    this.core.set({ phase: this.core.state.children.length === 0 ? 'setup' : 'ready' });
    this.parts.live.start();
    void this.parts.reviews.refreshReviews();
    void this.parts.favourites.refreshFavourites();
  }

  /**
   * First run: the family (its genesis roster names this browser as guardian) and the first child,
   * whose name is sealed to the family. Consent to the privacy notice is asked before this is called.
   */
  async setUp(input: { childName: string; senderName: string; consentedNotice: string }): Promise<void> {
    const { store, device } = this.core;
    // The server has no consent record yet; this browser keeps which notice was agreed to, and when.
    await store.set('consent', { notice: input.consentedNotice, at: Date.now() });
    await this.parts.family.saveSenderName(input.senderName);
    let familyId = this.core.state.familyId;
    if (!familyId) {
      familyId = await device.createFamily();
      this.core.set({ familyId, role: 'guardian' });
    }
    await device.createChild(familyId, input.childName.trim());
    await this.parts.family.loadFamily();
    this.core.set({ phase: 'ready' });
    this.parts.live.start();
  }

  /** While a join request waits: true once a guardian approved it and the app has entered the family. */
  async checkJoined(): Promise<boolean> {
    const me = await this.core.api.getMe();
    if (me.families.length === 0) return false;
    await this.enter();
    return true;
  }

  /**
   * Renews this browser's identity key without pairing again (docs/protocol.md §17): a guardian's
   * browser does it at once; a family member's waits until a guardian's device approves it (it does
   * so by itself when it next syncs).
   */
  async renewIdentity(): Promise<'renewed' | 'waiting'> {
    const { renewed } = await this.core.device.renewIdentity(this.core.requireFamily());
    if (renewed) await this.afterRenewal();
    else this.core.set({ renewalPending: true });
    return renewed ? 'renewed' : 'waiting';
  }

  /** The device id changed: reconnect the stream under it, reload, and name the new device. */
  async afterRenewal(): Promise<void> {
    this.parts.live.closeStream();
    this.core.set({ deviceId: this.core.device.deviceId, renewalPending: false });
    await this.enter();
    const senderName = this.core.state.senderName;
    if (senderName) await this.parts.family.saveSenderName(senderName).catch(() => undefined);
  }

  /** Deletes the whole family (its toys are told and wipe themselves); the account stays, back at setup. */
  async deleteFamily(proof: ConfirmOwnerBody): Promise<void> {
    await this.core.api.deleteFamily(this.core.requireFamily(), proof);
    this.parts.live.closeStream();
    this.core.set(NO_FAMILY);
    await this.enter();
  }

  /**
   * Deletes the account. This browser's keys and message archive belonged to it, so they are deleted
   * too, and the app starts again from a fresh device (a reload).
   */
  async deleteAccount(proof: ConfirmOwnerBody): Promise<void> {
    await this.core.api.deleteAccount(proof);
    this.parts.live.closeStream();
    this.core.store.db.close();
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    window.location.assign('/login?deleted=1');
  }
}
