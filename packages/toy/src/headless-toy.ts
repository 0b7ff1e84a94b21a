/**
 * The headless toy: ToyDevice over a data folder, woken by /v1/stream, with a speaker and a microphone
 * that are commands or files. The CLI, the demo and the end-to-end tests all run this class.
 */
import WebSocket from 'ws';
import { ApiClient, isApiError, keyMaintenanceIntervalMs, openStream, ToyDevice, type PlayedMessage, type RotationPolicy, type SocketLike, type Stream, type ToyEvent } from '@burrow/client';
import { FileStore } from './file-store.js';
import type { Player, Recorder } from './audio-io.js';

export interface HeadlessToyOptions {
  server: string;
  dataDir: string;
  player: Player;
  recorder: Recorder;
  recordMimeType?: string;
  onEvent?: (event: ToyEvent) => void;
  log?: (line: string) => void;
  /** Called once the toy has wiped itself after a guardian unpaired it. */
  onUnpaired?: () => void;
  /** KEM key rotation schedule (docs/protocol.md §14.3; default weekly, 2 days' grace). */
  rotation?: RotationPolicy;
  /** Identity renewal schedule in ms (docs/protocol.md §17.6; default off). */
  identityRenewalMs?: number;
}

export class HeadlessToy {
  private stream: Stream | undefined;
  private syncing: Promise<unknown> = Promise.resolve();
  private pairingTimer: ReturnType<typeof setInterval> | undefined;
  private keyTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    readonly device: ToyDevice,
    private readonly api: ApiClient,
    private readonly options: HeadlessToyOptions,
  ) {}

  static async start(options: HeadlessToyOptions): Promise<HeadlessToy> {
    const api = new ApiClient({ baseUrl: options.server });
    const started: { toy?: HeadlessToy } = {};
    const onEvent = (event: ToyEvent): void => {
      options.onEvent?.(event);
      // The stream was opened with the old identity's token: open it again as the new id (§17.6).
      if (event.type === 'identity_renewed') started.toy?.reconnect();
    };
    const device = await ToyDevice.open({ api, store: new FileStore(options.dataDir), onEvent, ...(options.rotation ? { rotation: options.rotation } : {}), ...(options.identityRenewalMs ? { identityRenewalMs: options.identityRenewalMs } : {}) });
    await device.register();
    const toy = new HeadlessToy(device, api, options);
    started.toy = toy;
    toy.connect();
    // Check in at boot, whether or not the stream opens: a toy marked lost or unpaired while it was
    // off learns it here (its token is refused) and wipes itself.
    void toy.sync();
    // A toy nobody writes to still rotates and erases on schedule (sync runs the key schedule).
    toy.keyTimer = setInterval(() => void toy.sync(), keyMaintenanceIntervalMs(options.rotation));
    toy.keyTimer.unref();
    return toy;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private reconnect(): void {
    this.stream?.close();
    this.connect();
  }

  private connect(): void {
    this.stream = openStream({
      connect: () => new WebSocket(this.api.streamUrl(), { headers: { authorization: `Bearer ${this.api.token ?? ''}` } }) as unknown as SocketLike,
      onOpen: () => void this.sync(),
      onEvent: (event) => {
        if (event.type === 'unpaired') void this.unpaired();
        else if (event.type === 'pairing') void this.device.checkPairing().then((paired) => paired && this.sync());
        else if (event.type === 'message' || event.type === 'roster' || event.type === 'settings' || event.type === 'deleted' || event.type === 'favourite') void this.sync();
      },
    });
  }

  /** Serialises syncs so two wake-ups never race over the same cursor. */
  sync(): Promise<unknown> {
    let token: string | undefined;
    this.syncing = this.syncing
      .then(() => {
        token = this.api.token;
        return this.device.sync();
      })
      .catch((err: unknown) => {
        // The server no longer knows our token: a guardian unpaired this toy.
        if (isApiError(err, 'unauthenticated')) return this.resetAfterUnpairing(token);
        this.log(`sync failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    return this.syncing;
  }

  /** Told on the stream that a guardian unpaired this toy. */
  private unpaired(): Promise<unknown> {
    const token = this.api.token;
    this.syncing = this.syncing.then(() => this.resetAfterUnpairing(token));
    return this.syncing;
  }

  /** Resets once per revoked token (a stream event and a refused sync may both report it). */
  private async resetAfterUnpairing(revoked: string | undefined): Promise<void> {
    if (this.api.token !== revoked) return;
    this.releasePairingButton();
    await this.device.reset();
    this.log(`This toy was unpaired and forgot its family. Its new id is ${this.device.toyId}; hold the pairing button to pair it again.`);
    this.options.onUnpaired?.();
  }

  /** The pairing button is held: show a code and watch for the claim (stream wake-up or polling). */
  async holdPairingButton(): Promise<string> {
    const code = await this.device.startPairing();
    if (this.pairingTimer) clearInterval(this.pairingTimer);
    this.pairingTimer = setInterval(() => {
      void this.device.checkPairing().then((paired) => {
        if (paired || !this.device.pairingCode) this.releasePairingButton();
        if (paired) void this.sync();
      });
    }, 1000);
    return code;
  }

  releasePairingButton(): void {
    if (this.pairingTimer) clearInterval(this.pairingTimer);
    this.pairingTimer = undefined;
  }

  /** The play paw: plays the oldest unplayed message through the speaker. */
  async playNext(): Promise<(PlayedMessage & { output: string }) | undefined> {
    await this.syncing;
    const played = await this.device.playNext();
    if (!played) return undefined;
    const mimeType = typeof played.meta.mimeType === 'string' ? played.meta.mimeType : undefined;
    const output = await this.options.player(played.audio, { messageId: played.messageId, mimeType, volume: played.volume });
    void this.sync(); // a slot is free now
    return { ...played, output };
  }

  /** The paw gesture (a long press): replays the newest favourite, then the one before, cycling. */
  async replayFavourite(): Promise<(PlayedMessage & { output: string }) | undefined> {
    await this.syncing;
    const played = await this.device.replayFavourite();
    if (!played) return undefined;
    const mimeType = typeof played.meta.mimeType === 'string' ? played.meta.mimeType : undefined;
    const output = await this.options.player(played.audio, { messageId: played.messageId, mimeType, volume: played.volume });
    return { ...played, output };
  }

  /**
   * Asks to renew the toy's identity key (docs/protocol.md §17.6). A guardian's device performs it on
   * its next check; the toy switches on the sync after that, once the change verifies.
   */
  async renewIdentity(): Promise<{ from: string; to: string }> {
    await this.syncing;
    return this.device.renewIdentity();
  }

  /** The record paw: records from the microphone and sends the answer to the family. */
  async recordAnswer(): Promise<string> {
    const audio = await this.options.recorder();
    return this.device.record(audio, { mimeType: this.options.recordMimeType ?? 'application/octet-stream' });
  }

  async stop(): Promise<void> {
    if (this.keyTimer) clearInterval(this.keyTimer);
    this.releasePairingButton();
    this.stream?.close();
    await this.syncing;
  }
}
