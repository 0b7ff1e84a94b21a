/**
 * One open stream: the device it belongs to, the families it hears and its bus subscriptions. A class
 * rather than closures in the route handler because there is one per connected toy (issue #11: 100k
 * toys on a node): its methods are shared, and only the two functions the bus and the socket must be
 * handed (`deliver`, `closed`) are made per stream, as bound functions.
 */
import type { WebSocket } from 'ws';
import type { DeviceCaller } from '../auth/index.js';
import { topics, type Bus, type StreamEvent, type Unsubscribe } from '../bus/index.js';
import type { PresenceTracker } from './presence.js';
import type { Heartbeat } from './heartbeat.js';

/** What every stream of a node shares. */
export interface StreamNode {
  bus: Bus;
  presence: PresenceTracker;
  heartbeat: Heartbeat<WebSocket>;
  /** The families a device hears now (read again after a pairing or roster event). */
  familiesOf(caller: DeviceCaller): Promise<string[]>;
  log: { warn: (obj: object, msg: string) => void };
}

export class StreamSession {
  private familyIds: string[] = [];
  /** Family topics this stream is subscribed to, beside their unsubscribe (a toy has one). */
  private families: { topic: string; unsubscribe: Unsubscribe }[] = [];
  private readonly unsubscribeDevice: Unsubscribe;
  private readonly deliver: (event: StreamEvent) => void;

  constructor(
    private readonly node: StreamNode,
    private readonly socket: WebSocket,
    private readonly caller: DeviceCaller,
    familyIds: string[],
  ) {
    this.deliver = this.send.bind(this);
    // Subscribed synchronously, before any event can be published after the client sees "open".
    this.unsubscribeDevice = node.bus.subscribe(topics.device(caller.deviceId), this.onDeviceEvent.bind(this));
    this.setFamilies(familyIds);
    if (caller.kind === 'toy') node.presence.connected(caller.deviceId, familyIds[0] ?? null);
    node.heartbeat.add(socket);
    socket.on('close', this.closed.bind(this));
  }

  private send(event: StreamEvent): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(event));
  }

  private onDeviceEvent(event: StreamEvent): void {
    this.send(event);
    // The toy's credentials are gone: nothing more reaches it on this socket.
    if (event.type === 'unpaired') {
      this.familyIds = [];
      this.socket.close(4401, 'unpaired');
      return;
    }
    // Pairing or joining a roster changes which families this device hears.
    if (event.type === 'pairing' || event.type === 'roster') this.refreshFamilies();
  }

  private setFamilies(next: string[]): void {
    const wanted = new Set(next.map(topics.family));
    this.families = this.families.filter((f) => {
      if (wanted.has(f.topic)) return true;
      f.unsubscribe();
      return false;
    });
    for (const topic of wanted)
      if (!this.families.some((f) => f.topic === topic))
        this.families.push({ topic, unsubscribe: this.node.bus.subscribe(topic, this.deliver) });
    if (this.caller.kind === 'toy')
      for (const f of next) if (!this.familyIds.includes(f)) this.node.presence.announce(this.caller.deviceId, f);
    this.familyIds = next;
  }

  private refreshFamilies(): void {
    this.node.familiesOf(this.caller).then(
      (next) => {
        // A stream that closed meanwhile subscribes to nothing more.
        if (this.socket.readyState !== this.socket.CLOSED) this.setFamilies(next);
      },
      (err: unknown) => {
        this.node.log.warn({ err, deviceId: this.caller.deviceId }, 'stream: could not refresh families');
      },
    );
  }

  private closed(): void {
    this.node.heartbeat.remove(this.socket);
    this.unsubscribeDevice();
    for (const f of this.families) f.unsubscribe();
    this.families = [];
    if (this.caller.kind === 'toy') this.node.presence.disconnected(this.caller.deviceId, this.familyIds[0] ?? null);
  }
}
