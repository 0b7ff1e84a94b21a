/**
 * The toy simulator's runtime: @burrow/client's ToyDevice (the same rules as the headless toy —
 * pinned roster, signature, sender permission, replay, blob hash) over IndexedDB, with the browser
 * as speaker and microphone.
 *
 * A toy authenticates with a bearer token, which a browser cannot put on a WebSocket handshake, so
 * the simulator trades it for a single-use stream ticket (POST /v1/toys/me/stream-tickets) before
 * every connection and opens /v1/stream?device=<toyId>&ticket=… . It syncs when the stream opens and
 * when an event says so; catching up by cursor is how every device syncs anyway, so no polling.
 */
import {
  ApiClient,
  isApiError,
  keyMaintenanceIntervalMs,
  openStream,
  ToyDevice,
  type PlayedMessage,
  type SocketLike,
  type Stream,
  type ToyEvent,
  type ToyKeyStatus,
} from '@burrow/client';
import { describeError } from '../shared/errors.js';
import { deleteDatabase, IdbStore } from '../shared/idb-store.js';
import type { Recording } from '../shared/recorder.js';
import { checkSoftware, type SoftwareCheck } from './software.js';

const DB_NAME = 'burrow-toy';
const PAIRING_CHECK_MS = 1000;
const LOG_LINES = 30;

export interface ToyState {
  toyId: string;
  registered: boolean;
  paired: boolean;
  /** The stream to the server is open. */
  online: boolean;
  /** A guardian unpaired this toy and it wiped itself (shown until it is paired again). */
  unpaired: boolean;
  unplayed: number;
  /** Messages a guardian asked this toy to keep (docs/protocol.md §18), oldest first. */
  favourites: { messageId: string; from: string; keptAt: number }[];
  pairing: { code: string; expiresAt: number } | null;
  log: { at: number; text: string }[];
  /** Its message key's age and count, its identity's age, a renewal it waits for (null: not read yet). */
  keys: ToyKeyStatus | null;
}

function describeEvent(event: ToyEvent): string | null {
  switch (event.type) {
    case 'registered':
      return 'Registered this toy’s keys with the server.';
    case 'pairing':
      return 'Pairing mode: showing a code.';
    case 'paired':
      return `Paired with a family (roster version ${event.rosterVersion}).`;
    case 'roster':
      return `Accepted the family’s roster version ${event.version}.`;
    case 'roster_refused':
      return `Refused a roster (${event.reason}).`;
    case 'queued':
      return 'A message arrived and passed every check.';
    case 'refused':
      return `Refused a message (${event.reason}): it will never play.`;
    case 'played':
      return 'Played a message.';
    case 'recorded':
      return 'Sent an answer to the family.';
    case 'key_rotated':
      return `Rotated its message key (epoch ${event.epoch}) and published it, signed.`;
    case 'keys_erased':
      return `Erased ${event.epochs.length === 1 ? 'a retired message key' : `${event.epochs.length} retired message keys`}: older recordings can no longer be opened here.`;
    case 'key_record_refused':
      return `Refused a key record for a family device (${event.reason}).`;
    case 'dropped':
      return 'Dropped a message its sender or a guardian deleted, unplayed.';
    case 'deletion_refused':
      return `Refused an instruction to delete a message (${event.reason}).`;
    case 'succession':
      return 'A family device renewed its keys; a guardian approved it.';
    case 'succession_refused':
      return `Refused a device's key renewal (${event.reason}).`;
    case 'favourite_kept':
      return `Keeping a favourite a guardian chose (${event.kept} kept).`;
    case 'favourite_released':
      return `Let go of a favourite (${event.kept} kept).`;
    case 'favourite_refused':
      return `Refused an instruction to keep a favourite (${event.reason}).`;
    case 'replayed':
      return 'Replayed a favourite.';
    case 'renewal_requested':
      return 'Asked the family to renew this toy’s identity keys.';
    case 'identity_renewed':
      return 'Renewed its identity keys; a guardian’s device approved them.';
    case 'renewal_refused':
      return `The identity renewal was refused (${event.reason}); the toy keeps its keys.`;
  }
}

/** A network failure (ApiClient reports it as `unreachable`): retried on reconnect, not logged. */
function offline(err: unknown): boolean {
  return isApiError(err, 'unreachable');
}

export class BrowserToy {
  private state: ToyState;
  private readonly listeners = new Set<() => void>();
  private syncing: Promise<unknown> = Promise.resolve();
  private stream: Stream | undefined;
  private pairingTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly device: ToyDevice,
    private readonly db: IdbStore,
  ) {
    this.state = {
      toyId: device.toyId,
      registered: false,
      paired: false,
      online: false,
      unpaired: false,
      unplayed: 0,
      favourites: [],
      pairing: null,
      log: [],
      keys: null,
    };
  }

  static async open(baseUrl: string): Promise<BrowserToy> {
    const store = await IdbStore.open(DB_NAME);
    const ref: { toy?: BrowserToy } = {};
    // Online is the stream being open; a request that cannot reach the server says offline at once.
    const fetchImpl: typeof fetch = (input, init) =>
      fetch(input, init).catch((err: unknown) => {
        ref.toy?.set({ online: false });
        throw err;
      });
    const api = new ApiClient({ baseUrl, fetch: fetchImpl });
    const device = await ToyDevice.open({ api, store, onEvent: (event) => ref.toy?.onEvent(event) });
    const toy = new BrowserToy(device, store);
    ref.toy = toy;
    await toy.boot();
    return toy;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): ToyState => this.state;

  private set(patch: Partial<ToyState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private note(text: string): void {
    this.set({ log: [{ at: Date.now(), text }, ...this.state.log].slice(0, LOG_LINES) });
  }

  private onEvent(event: ToyEvent): void {
    const text = describeEvent(event);
    if (text) this.note(text);
    if (event.type === 'queued' || event.type === 'dropped') this.set({ unplayed: event.unplayed });
    if (event.type === 'pairing') this.set({ pairing: { code: event.code, expiresAt: event.expiresAt } });
    if (event.type === 'favourite_kept' || event.type === 'favourite_released') void this.loadFavourites();
    if (event.type === 'identity_renewed') {
      this.set({ toyId: this.device.toyId });
      // The stream was opened as the old id, whose wake-ups stop: open it again as the new one.
      this.stream?.close();
      this.connect();
    }
    if (event.type === 'key_rotated' || event.type === 'keys_erased' || event.type === 'renewal_requested' || event.type === 'identity_renewed') void this.loadKeys();
  }

  private async loadKeys(): Promise<void> {
    this.set({ keys: await this.device.keyStatus() });
  }

  private async loadFavourites(): Promise<void> {
    const kept = await this.device.favourites();
    this.set({
      favourites: kept.map((f) => ({ messageId: f.messageId, from: typeof f.meta.senderName === 'string' ? f.meta.senderName : 'your family', keptAt: f.keptAt })),
    });
  }

  private async boot(): Promise<void> {
    this.set({ paired: await this.device.isPaired(), unplayed: await this.device.unplayedCount() });
    await this.loadFavourites();
    await this.loadKeys();
    await this.register();
    this.connect();
    // A simulator left open with nobody sending still rotates and erases its message keys on time
    // (docs/protocol.md §14.3): its schedule runs on sync, and nothing else wakes it.
    setInterval(() => void this.sync(), keyMaintenanceIntervalMs());
  }

  /**
   * The wake-up stream. Each (re)connection asks for a fresh ticket with the toy's token; a refused
   * ticket request (401) means a guardian unpaired the toy.
   */
  private connect(): void {
    this.stream = openStream({
      connect: () =>
        ticketedSocket(async () => {
          if (!this.state.registered && !(await this.register())) throw new Error('not registered');
          const token = this.device.api.token;
          try {
            const { ticket } = await this.device.api.createStreamTicket();
            return this.device.api.streamUrl({ device: this.device.toyId, ticket });
          } catch (err) {
            if (isApiError(err, 'unauthenticated')) await this.resetAfterUnpairing(token);
            throw err;
          }
        }),
      onOpen: () => {
        this.set({ online: true });
        void this.sync();
      },
      onClose: () => this.set({ online: false }),
      onEvent: (event) => {
        if (event.type === 'unpaired') void this.resetAfterUnpairing(this.device.api.token);
        else if (event.type === 'pairing') void this.checkPairing();
        else if (event.type === 'message' || event.type === 'roster' || event.type === 'settings' || event.type === 'deleted' || event.type === 'favourite') void this.sync();
      },
      maxDelayMs: 5000,
    });
  }

  /**
   * A guardian unpaired this toy: the server revoked its token and deleted its queue. The toy forgets
   * the family and its own keys, takes a new identity, and can be paired again. Once per revoked token.
   */
  private resetAfterUnpairing(revoked: string | undefined): Promise<unknown> {
    this.syncing = this.syncing.then(async () => {
      if (this.device.api.token !== revoked || revoked === undefined) return;
      // A guardian's device performed the renewal this toy asked for: its old token is refused, as
      // after unpairing, but the toy switches to its new identity (once verified) instead of wiping.
      if (await this.device.renewalPending()) {
        const outcome = await this.device.adoptRenewedIdentity().catch(() => 'not_performed' as const);
        if (outcome !== 'not_performed') {
          this.set({ toyId: this.device.toyId });
          if (outcome === 'adopted') void this.sync();
          return;
        }
      }
      this.stopPairing();
      await this.device.reset();
      this.set({ toyId: this.device.toyId, paired: false, unpaired: true, unplayed: 0, favourites: [], registered: true });
      this.note('A guardian unpaired this toy: it forgot the family and made new keys. Hold the pairing button to pair it again.');
    });
    return this.syncing;
  }

  private async register(): Promise<boolean> {
    try {
      await this.device.register();
      this.set({ registered: true });
      return true;
    } catch (err) {
      this.note(`Could not register: ${describeError(err)}`);
      return false;
    }
  }

  /** Pulls and checks new messages while a slot is free; serialised so two wake-ups never overlap. */
  sync(): Promise<unknown> {
    let token: string | undefined;
    this.syncing = this.syncing
      .then(async () => {
        if (!this.state.registered && !(await this.register())) return;
        if (!this.state.paired) return;
        token = this.device.api.token;
        await this.device.sync();
        this.set({ unplayed: await this.device.unplayedCount(), toyId: this.device.toyId, keys: await this.device.keyStatus() });
      })
      .catch((err: unknown) => {
        if (isApiError(err, 'unauthenticated')) {
          void this.resetAfterUnpairing(token);
          return;
        }
        if (offline(err)) return; // the status line says so; the stream's reconnect catches up
        this.note(`Sync failed: ${describeError(err)}`);
      });
    return this.syncing;
  }

  /** The pairing button was held: show a fresh code and watch for the guardian's claim. */
  async startPairing(): Promise<void> {
    await this.device.startPairing(); // emits the `pairing` event with the code and its expiry
    this.set({ registered: true });
    if (this.pairingTimer) clearInterval(this.pairingTimer);
    this.pairingTimer = setInterval(() => void this.checkPairing(), PAIRING_CHECK_MS);
  }

  private async checkPairing(): Promise<void> {
    try {
      const paired = await this.device.checkPairing();
      if (paired) {
        this.stopPairing();
        this.set({ paired: true, unpaired: false, unplayed: 0 });
        void this.sync();
      } else if (!this.device.pairingCode) {
        this.stopPairing();
        this.note('The pairing code expired.');
      }
    } catch (err) {
      if (!offline(err)) this.note(`Pairing check failed: ${describeError(err)}`);
    }
  }

  stopPairing(): void {
    if (this.pairingTimer) clearInterval(this.pairingTimer);
    this.pairingTimer = undefined;
    this.device.cancelPairing();
    this.set({ pairing: null });
  }

  /** The play paw: the oldest unplayed message, re-checked against the roster held now. */
  async playNext(): Promise<PlayedMessage | undefined> {
    await this.syncing;
    const played = await this.device.playNext();
    this.set({ unplayed: await this.device.unplayedCount() });
    void this.sync(); // a slot is free now
    return played;
  }

  /** The favourite paw (a long press on a real toy): the newest favourite, then the one before, cycling. */
  async replayFavourite(): Promise<PlayedMessage | undefined> {
    await this.syncing;
    return this.device.replayFavourite();
  }

  /** The record paw was released: seal the answer to everyone who may hear the child, and send it. */
  async record(recording: Recording): Promise<string> {
    return this.device.record(recording.bytes, {
      mimeType: recording.mimeType,
      durationMs: recording.durationMs,
    });
  }

  /**
   * Asks the family to renew this toy's identity key (docs/protocol.md §17.6), as the schedule would:
   * a guardian's device performs it on its next check, and the toy switches on a later sync.
   */
  async renewIdentity(): Promise<void> {
    await this.syncing;
    await this.device.renewIdentity();
    await this.loadKeys();
  }

  /** Its version and whether the server offers a newer one; checks in so guardians see it (software.ts). */
  checkSoftware(): Promise<SoftwareCheck> {
    return checkSoftware(this.device.api);
  }

  /** Forgets this toy's keys, roster and messages (a factory reset), then starts afresh. */
  async factoryReset(): Promise<void> {
    this.close();
    this.db.db.close();
    await deleteDatabase(DB_NAME);
  }

  close(): void {
    this.stream?.close();
    if (this.pairingTimer) clearInterval(this.pairingTimer);
  }
}

/**
 * A SocketLike that first gets its URL (a fresh stream ticket), then opens the browser's WebSocket.
 * openStream attaches its handlers synchronously; they are forwarded once the real socket exists.
 */
function ticketedSocket(url: () => Promise<string>): SocketLike {
  let inner: WebSocket | undefined;
  let closed = false;
  const outer: SocketLike = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    close() {
      closed = true;
      inner?.close();
    },
  };
  url().then(
    (u) => {
      if (closed) {
        outer.onclose?.({});
        return;
      }
      const ws = new WebSocket(u);
      inner = ws;
      ws.onopen = (ev) => outer.onopen?.(ev);
      ws.onmessage = (ev) => outer.onmessage?.(ev);
      ws.onerror = (ev) => outer.onerror?.(ev);
      ws.onclose = (ev) => outer.onclose?.(ev);
    },
    (err: unknown) => {
      outer.onerror?.(err);
      outer.onclose?.(err);
    },
  );
  return outer;
}
