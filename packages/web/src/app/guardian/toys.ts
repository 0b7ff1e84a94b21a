/** The family's toys: their list (names opened here, presence, unplayed counts) and their settings. */
import type { LostToy, ToySettingsResponse } from '@burrow/api';
import type { ToySettingsChange } from '@burrow/client';
import type { QuietHours, ToySettingsWire } from '@burrow/protocol';
import type { GuardianCore } from './core.js';
import type { Toy } from './state.js';

/** A `presence` event as it arrived: `seq` orders it against the list loads (see loadToys). */
interface PresenceEvent {
  online: boolean;
  lastSeenAt: number;
  seq: number;
}

export class Toys {
  /** The newest loadToys started: an older one that finishes later must not overwrite its result. */
  private loads = 0;
  /** Presence events counted, and the latest of each toy (kept for toys the list does not show yet). */
  private events = 0;
  private readonly presence = new Map<string, PresenceEvent>();

  constructor(private readonly core: GuardianCore) {}

  /**
   * The toys list: names (opened here), presence and unplayed counts. Loads overlap (each stream event
   * starts one) and finish in any order: only the newest started applies its result, and a presence
   * event that arrived after its request left wins over the presence it read, which may predate it.
   * Without both, a renewed toy's "Online" was overwritten by a load that read the list before the
   * toy's new stream opened, and stayed "Offline" until its next event (toys.test, CI).
   */
  async loadToys(): Promise<void> {
    const { api, device, state } = this.core;
    const familyId = state.familyId;
    if (!familyId) return;
    const load = ++this.loads;
    const eventsBefore = this.events;
    const { toys } = await api.listToys(familyId);
    const opened: Toy[] = [];
    for (const t of toys) {
      let name: string | null = null;
      if (t.name && this.core.state.inRoster) {
        try {
          const meta = await device.openRecord(familyId, t.name);
          if (typeof meta.toyName === 'string' && meta.toyId === t.toyId) name = meta.toyName;
        } catch {
          // Sealed before this browser joined the family: it keeps the child-based name.
        }
      }
      const later = this.presence.get(t.toyId);
      const fresher = later !== undefined && later.seq > eventsBefore;
      opened.push({
        toyId: t.toyId,
        childId: t.childId,
        name,
        online: fresher ? later.online : t.online,
        lastSeenAt: fresher ? later.lastSeenAt : t.lastSeenAt,
        unplayed: t.unplayed,
      });
    }
    if (load !== this.loads) return; // a newer load started meanwhile: its result is the one to show
    this.core.set({ toys: opened });
  }

  /** Names a toy; the name is sealed to the family's devices (the server cannot read it). */
  async renameToy(toyId: string, name: string): Promise<void> {
    await this.core.device.renameToy(this.core.requireFamily(), toyId, name.trim());
    await this.loadToys();
  }

  /** Toys a guardian marked lost, newest first, with when each last checked in. */
  async lostToys(): Promise<LostToy[]> {
    return (await this.core.api.listLostToys(this.core.requireFamily())).toys;
  }

  /**
   * A `presence` event: a toy's stream connected or closed. False when this browser does not list the
   * toy yet (a renewed or newly paired toy whose stream opened before the list was loaded again): the
   * list is stale and must be loaded, or the toy would show offline until its next event.
   */
  onPresence(toyId: string, online: boolean, lastSeenAt: number): boolean {
    this.presence.set(toyId, { online, lastSeenAt, seq: ++this.events });
    const toys = this.core.state.toys;
    if (!toys.some((t) => t.toyId === toyId)) return false;
    this.core.set({ toys: toys.map((t) => (t.toyId === toyId ? { ...t, online, lastSeenAt } : t)) });
    return true;
  }

  toySettings(toyId: string): Promise<ToySettingsResponse> {
    return this.core.api.getToySettings(this.core.requireFamily(), toyId);
  }

  async setQuietHours(toyId: string, timeZone: string, quietHours: QuietHours | null): Promise<void> {
    await this.core.device.setQuietHours(this.core.requireFamily(), toyId, timeZone, quietHours);
  }

  /** One signed settings change for a toy: quiet hours, volume (0-100), review list (protocol §10-11). */
  async setToySettings(toyId: string, change: ToySettingsChange): Promise<ToySettingsWire> {
    return this.core.device.setToySettings(this.core.requireFamily(), toyId, change);
  }
}
