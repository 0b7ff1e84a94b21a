/**
 * What keeps an open app current: the wake-up stream (each event reloads what it announces), the
 * poll for people and devices waiting for a guardian, and the hourly key check of a quiet family.
 */
import { openStream, type SocketLike, type Stream } from '@burrow/client';
import { describeError } from '../../shared/errors.js';
import { t } from '../../i18n/index.js';
import { notifyInBackground } from '../notify.js';
import type { GuardianCore } from './core.js';
import type { Family } from './family.js';
import type { Favourites } from './favourites.js';
import type { Messages } from './messages.js';
import type { Reviews } from './reviews.js';
import type { Toys } from './toys.js';

/** How often an open app checks its key schedule when nothing else makes it sync. */
const KEY_CHECK_MS = 60 * 60 * 1000;
/** How often a guardian's browser asks who waits (the server has no stream event for it). */
const PEOPLE_CHECK_MS = 5000;

export class Live {
  private stream: Stream | undefined;
  private peopleTimer: number | undefined;
  private keyTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly core: GuardianCore,
    private readonly parts: {
      family: Family;
      toys: Toys;
      messages: Messages;
      reviews: Reviews;
      favourites: Favourites;
    },
  ) {}

  /** Opens the stream and starts the polls (once; a second call while open does nothing). */
  start(): void {
    this.watchPeople();
    if (this.stream) return;
    const { family, toys, messages, reviews, favourites } = this.parts;
    // A quiet family still rotates and erases this browser's keys on time (sync runs the schedule).
    this.keyTimer ??= setInterval(() => void messages.sync(), KEY_CHECK_MS);
    this.stream = openStream({
      connect: () => new WebSocket(this.core.api.streamUrl()) as unknown as SocketLike,
      onOpen: () => {
        this.core.set({ live: true });
        // Events published before this socket subscribed (the first connect follows a loadFamily,
        // a reconnect follows a gap) are not replayed: reload what they would have announced. A
        // guardian re-seals the names right after admitting a device, often before that device's
        // stream is open.
        family
          .loadFamily()
          .then(() => messages.sync())
          .catch((err: unknown) =>
            console.warn('reload after the stream opened failed:', describeError(err)),
          );
        void messages.refreshReceipts();
      },
      onClose: () => this.core.set({ live: false }),
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
            messages.sync().then(() => toys.loadToys()),
          );
        else if (event.type === 'receipt')
          reload(
            'receipts',
            messages.refreshReceipts().then(() => toys.loadToys()),
          );
        else if (event.type === 'presence' && typeof event.toyId === 'string') {
          const known = toys.onPresence(
            event.toyId,
            event.online === true,
            typeof event.lastSeenAt === 'number' ? event.lastSeenAt : Date.now(),
          );
          if (!known) reload('toys', toys.loadToys());
        }
        else if (event.type === 'toys') reload('toys', toys.loadToys());
        else if (event.type === 'favourite') reload('favourites', favourites.refreshFavourites());
        // Its sender or a guardian deleted a message: an open browser of the family drops its copy too.
        else if (event.type === 'deleted' && typeof event.messageId === 'string')
          reload(
            'deletion',
            messages.forgetMessage(event.messageId).then(() => toys.loadToys()),
          );
        // A review decided changes where a sent message is (approved: now queued for the toy).
        else if (event.type === 'review')
          reload(
            'reviews',
            reviews.refreshReviews().then(() => messages.refreshReceipts()),
          );
        else if (event.type === 'roster' || event.type === 'pairing' || event.type === 'children')
          reload(
            'family',
            family.loadFamily().then(() => messages.sync()),
          );
      },
    });
  }

  /** Closes the stream only (the family is gone or the identity changed; a new start follows). */
  closeStream(): void {
    this.stream?.close();
    this.stream = undefined;
  }

  /** Stops everything: the stream and both timers (signing out). */
  stop(): void {
    clearInterval(this.keyTimer);
    this.keyTimer = undefined;
    window.clearInterval(this.peopleTimer);
    this.peopleTimer = undefined;
    this.closeStream();
  }

  /**
   * Guardians learn within seconds, on any page, that someone asks to join or that a new device (their
   * own second phone, say) waits for approval: the server has no stream event for these, so the
   * guardian's browser asks every few seconds. Hidden, it shows a system notification (notify.ts).
   */
  private watchPeople(): void {
    if (this.peopleTimer !== undefined) return;
    const check = async () => {
      const { api, state } = this.core;
      const familyId = state.familyId;
      if (state.role !== 'guardian' || !state.inRoster || !familyId) return;
      try {
        const [requests, pending] = await Promise.all([
          api.listJoinRequests(familyId),
          api.listPendingDevices(familyId),
        ]);
        const waiting = {
          joins: requests.requests.filter((r) => r.status === 'pending').length,
          devices: pending.devices.length,
        };
        const before = this.core.state.waiting;
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
        if (waiting.joins !== before.joins || waiting.devices !== before.devices) this.core.set({ waiting });
      } catch (err) {
        console.warn('checking who waits failed:', describeError(err));
      }
    };
    void check();
    this.peopleTimer = window.setInterval(() => void check(), PEOPLE_CHECK_MS);
  }
}
