/**
 * What the pages call people, toys and children: read from the state only (names opened elsewhere),
 * never from the server.
 */
import type { ArchivedMessage } from '../../shared/idb-store.js';
import { t } from '../../i18n/index.js';
import type { GuardianCore } from './core.js';
import type { Child } from './state.js';

export class Names {
  constructor(private readonly core: GuardianCore) {}

  isToy(deviceId: string): boolean {
    const state = this.core.state;
    return (
      state.toys.some((t) => t.toyId === deviceId) ||
      state.roster?.devices.some((d) => d.id === deviceId && d.role === 'toy') === true
    );
  }

  childOfToy(toyId: string): Child | undefined {
    const state = this.core.state;
    const toy = state.toys.find((t) => t.toyId === toyId);
    return state.children.find((c) => c.childId === toy?.childId);
  }

  /** "Mia’s toy", or "Mia’s toy 2" when a child has more than one. */
  toyName(toyId: string): string {
    const state = this.core.state;
    const named = state.toys.find((t) => t.toyId === toyId)?.name;
    if (named) return named;
    const child = this.childOfToy(toyId);
    if (!child) return t('names.theToy');
    // Numbered in pairing order, which is their order in the roster.
    const order = (id: string) => state.roster?.devices.findIndex((d) => d.id === id) ?? 0;
    const siblings = state.toys
      .filter((t) => t.childId === child.childId)
      .sort((a, b) => order(a.toyId) - order(b.toyId));
    const index = siblings.findIndex((t) => t.toyId === toyId);
    return siblings.length > 1 && index > 0
      ? t('names.toyOfNumbered', { child: child.name, n: index + 1 })
      : t('names.toyOf', { child: child.name });
  }

  /** Who a message is from, as the timeline shows it. */
  senderLabel(message: ArchivedMessage): string {
    if (message.from === this.core.device.deviceId) return t('names.you');
    if (this.isToy(message.from)) return this.toyName(message.from);
    return message.senderName ?? this.core.state.memberNames[message.from] ?? t('roles.member');
  }

  /**
   * What a guardian calls a person: the name they chose ("Grandma") from any of their devices, else
   * the email a guardian needs to tell accounts apart, else "A family member".
   */
  personName(deviceIds: readonly string[], email?: string | null): string {
    for (const id of deviceIds) {
      const name = this.core.state.memberNames[id];
      if (name) return name;
    }
    return email ?? t('activity.aMember');
  }

  /** Messages to a toy, from anyone in the family, that it has not played yet (the server counts them). */
  unplayedFor(toyId: string): number {
    return this.core.state.toys.find((t) => t.toyId === toyId)?.unplayed ?? 0;
  }
}
