/**
 * The family as this browser sees it: the roster (verified by chain), the children and their names,
 * the members' names, and what changes the roster's toys and children (pairing, unpairing, a lost
 * toy, a guardian's recovery).
 */
import { findDevice, readChildProfile, type ChildProfile } from '@burrow/protocol';
import { describeError } from '../../shared/errors.js';
import { t } from '../../i18n/index.js';
import type { GuardianCore } from './core.js';
import type { Child } from './state.js';
import type { Toys } from './toys.js';

export class Family {
  constructor(
    private readonly core: GuardianCore,
    private readonly toys: Toys,
  ) {}

  /** Reloads the family: the roster (verified by chain), children (names opened here) and toys. */
  async loadFamily(): Promise<void> {
    const { api, device } = this.core;
    const familyId = this.core.state.familyId;
    if (!familyId) return;
    const summary = await api.getFamily(familyId);
    const roster = await device.roster(familyId);
    const inRoster = findDevice(roster, device.deviceId) !== undefined;
    const children: Child[] = [];
    for (const child of summary.children) {
      let profile: ChildProfile | null = null;
      if (child.profile && inRoster) {
        try {
          profile = readChildProfile(await device.openRecord(familyId, child.profile));
        } catch {
          // A profile this browser cannot open keeps the placeholder name.
        }
      }
      children.push({
        childId: child.childId,
        name: profile?.childName ?? t('names.yourChild'),
        birthday: profile?.birthday ?? null,
        photo: profile?.photo ?? null,
      });
    }
    const memberNames = inRoster ? Object.fromEntries(await device.memberNames(familyId)) : {};
    this.core.set({
      roster,
      inRoster,
      memberNames,
      departedDevices: summary.departedDevices,
      children,
      // Until loadToys below, a toy listed already keeps what is known of it: resetting it to unnamed
      // and offline made every reload flash "Offline" on the Toys page.
      toys: summary.toys.map((t) => {
        const known = this.core.state.toys.find((k) => k.toyId === t.toyId);
        return known
          ? { ...known, childId: t.childId }
          : { toyId: t.toyId, childId: t.childId, name: null, online: false, lastSeenAt: null, unplayed: 0 };
      }),
    });
    // This device's name reaches the family once it is in the roster, and again after a change.
    const mine = this.core.state.senderName;
    if (inRoster && mine && memberNames[device.deviceId] !== mine) {
      try {
        await device.publishMemberName(familyId, mine);
        this.core.set({ memberNames: { ...memberNames, [device.deviceId]: mine } });
      } catch (err) {
        // The family still loads; the next reload tries again.
        console.warn('publishing this device’s name failed:', describeError(err));
      }
    }
    await this.toys.loadToys();
  }

  async addChild(name: string): Promise<void> {
    const familyId = this.core.requireFamily();
    await this.core.device.createChild(familyId, name.trim());
    await this.loadFamily();
  }

  /**
   * A guardian sets or removes the child's birthday and photo: the whole profile (the name as it
   * reads now) is sealed afresh to the family's people's devices; the others reload on the
   * `children` event. `today` is the guardian's calendar day, so a birthday in the future is refused.
   */
  async saveChildProfile(childId: string, change: { birthday: string | null; photo: ChildProfile['photo'] | null }, today: string): Promise<void> {
    const familyId = this.core.requireFamily();
    // The name as the sealed profile holds it now (never the "Your child" placeholder of a profile
    // this browser could not open, nor a name another guardian has changed since this page loaded).
    const record = (await this.core.api.getFamily(familyId)).children.find((c) => c.childId === childId)?.profile;
    const current = record ? readChildProfile(await this.core.device.openRecord(familyId, record)) : null;
    if (!current) throw new Error(t('childProfile.unreadable'));
    const profile: ChildProfile = { childName: current.childName };
    if (change.birthday) profile.birthday = change.birthday;
    if (change.photo) profile.photo = change.photo;
    await this.core.device.updateChildProfile(familyId, childId, profile, today);
    await this.loadFamily();
  }

  /** Deletes a child's profile: each of their toys is unpaired first (told, it wipes itself). */
  async deleteChild(childId: string): Promise<void> {
    const familyId = this.core.requireFamily();
    for (const toy of this.core.state.toys.filter((t) => t.childId === childId))
      await this.core.device.unpairToy(familyId, toy.toyId);
    await this.core.api.deleteChild(familyId, childId);
    await this.loadFamily();
  }

  /** The name this browser's user goes by; published to the family once this device is in the roster. */
  async saveSenderName(name: string): Promise<void> {
    const { store, device } = this.core;
    await store.set('ui:senderName', name.trim());
    this.core.set({ senderName: name.trim() });
    const { familyId, inRoster, memberNames } = this.core.state;
    if (familyId && inRoster && name.trim() && memberNames[device.deviceId] !== name.trim()) {
      await device.publishMemberName(familyId, name.trim());
      this.core.set({ memberNames: { ...this.core.state.memberNames, [device.deviceId]: name.trim() } });
    }
  }

  /** Claims the toy in hand with the code it shows (the toy's keys are checked against the code). */
  async pairToy(code: string, childId: string): Promise<string> {
    const familyId = this.core.requireFamily();
    const toyId = await this.core.device.claimToy(familyId, childId, code);
    await this.loadFamily();
    return toyId;
  }

  /** Unpairs a toy: a roster without it; the server revokes it and the toy wipes itself. */
  async unpairToy(toyId: string): Promise<void> {
    await this.core.device.unpairToy(this.core.requireFamily(), toyId);
    await this.loadFamily();
  }

  /**
   * A guardian marks a toy lost or stolen: unpaired at once as by unpairToy (its waiting messages are
   * deleted; if it connects again it is refused and wipes itself); the server keeps its last check-in.
   */
  async markToyLost(toyId: string): Promise<void> {
    await this.core.device.markToyLost(this.core.requireFamily(), toyId);
    await this.loadFamily();
  }

  /**
   * The family's only guardian lost every approved device: one of the account's recovery codes and
   * the code the toy shows while its pairing button is held make this browser the guardian
   * (FamilyDevice.recoverGuardian; docs/safety.md).
   */
  async recoverGuardian(recoveryCode: string, pairingCode: string): Promise<void> {
    await this.core.device.recoverGuardian(this.core.requireFamily(), recoveryCode.trim(), pairingCode);
    await this.loadFamily();
  }
}
