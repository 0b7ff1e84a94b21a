/**
 * Toy presence: whether a toy's stream is open now, and when it was last seen.
 *
 * A toy's row in `toy_presence` is written only when its stream opens or closes (its last check-in),
 * and names the node holding the socket. Each node keeps its sockets per toy in memory and writes one
 * liveness record for itself (`stream_nodes`) every interval, however many toys it holds: at 100k toys
 * that is one write per node per 25 s instead of ~4,000 heartbeat writes a second. A toy reads as
 * online while its row says connected and its node's record is fresh, so every node answers the same;
 * a node that dies stops refreshing its record and its toys go offline with it, last seen when their
 * node last vouched for them. The first live node to notice a dead one records that for its toys and
 * tells their families (sweepDeadNodes), then forgets the node.
 */
import { randomUUID } from 'node:crypto';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';

export interface ToyPresence {
  online: boolean;
  /** Null: never connected. */
  lastSeenAt: number | null;
}

export interface PresenceTracker {
  /** This node's id in `stream_nodes` (random per process: a restarted node is a new node). */
  readonly nodeId: string;
  connected(toyId: string, familyId: string | null): void;
  disconnected(toyId: string, familyId: string | null): void;
  /** Announces a toy already online to a family it just joined (pairing while connected). */
  announce(toyId: string, familyId: string): void;
  /** Refreshes this node's liveness record and sweeps dead nodes (the interval's work; tests call it). */
  tick(): Promise<void>;
  /** Every write issued so far has settled. */
  settled(): Promise<void>;
  /** Stops the interval and drops this node's record, so its toys read offline at once. */
  stop(): Promise<void>;
}

/** Told when a toy's first socket opens or its last closes (the family activity log, audit/). */
export type PresenceListener = (toyId: string, familyId: string, online: boolean, at: number) => void;

/** The stream pings every socket this often; each node refreshes its liveness record at the same pace. */
export const PING_INTERVAL_MS = 25_000;

/** A node whose record is older than two intervals (plus slack) is dead, and so are its toys' streams. */
export const NODE_DEAD_AFTER_MS = 2 * PING_INTERVAL_MS + 5_000;

/** Online: the row says connected and the node holding the socket refreshed its record lately. */
export function isOnline(row: { connected: number; alive_at: number | null }, now: number): boolean {
  return row.connected === 1 && row.alive_at !== null && Number(row.alive_at) > now - NODE_DEAD_AFTER_MS;
}

export async function readPresence(db: Db, toyIds: string[], now: number): Promise<Map<string, ToyPresence>> {
  const out = new Map<string, ToyPresence>();
  if (toyIds.length === 0) return out;
  const rows = await db
    .selectFrom('toy_presence')
    .leftJoin('stream_nodes', 'stream_nodes.node_id', 'toy_presence.node_id')
    .select([
      'toy_presence.toy_id',
      'toy_presence.connected',
      'toy_presence.last_seen_at',
      'stream_nodes.alive_at',
    ])
    .where('toy_presence.toy_id', 'in', toyIds)
    .execute();
  for (const row of rows) {
    const checkIn = Number(row.last_seen_at);
    // While connected, the toy was last seen when its node last vouched for it (or at its check-in).
    const vouched =
      row.connected === 1 && row.alive_at !== null ? Math.max(checkIn, Number(row.alive_at)) : checkIn;
    out.set(row.toy_id, { online: isOnline(row, now), lastSeenAt: vouched });
  }
  return out;
}

export function createPresenceTracker({
  db,
  bus,
  clock,
  log,
  onPresence,
  intervalMs = PING_INTERVAL_MS,
}: {
  db: Db;
  bus: Bus;
  clock: Clock;
  log: { warn: (obj: object, msg: string) => void };
  onPresence?: PresenceListener;
  /** How often the liveness record is refreshed; 0: only when `tick()` is called (tests). */
  intervalMs?: number;
}): PresenceTracker {
  const nodeId = randomUUID();
  const sockets = new Map<string, number>();
  // Writes for one toy run in order, so a quick reconnect never ends "offline"; every toy's first
  // write waits for this node's record, so no row names a node that readers cannot find.
  const queues = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  let stopped = false;

  const refresh = async (): Promise<void> => {
    const now = clock.now();
    await db
      .insertInto('stream_nodes')
      .values({ node_id: nodeId, alive_at: now })
      .onConflict((oc) => oc.column('node_id').doUpdateSet({ alive_at: now }))
      .execute();
  };
  const track = (p: Promise<void>): Promise<void> => {
    const settled = p.catch((err: unknown) => {
      log.warn({ err }, 'presence: could not record');
    });
    pending.add(settled);
    void settled.then(() => pending.delete(settled));
    return settled;
  };
  const ready = track(refresh());

  /** Records a dead node's toys as offline, last seen when it last refreshed, and forgets the node. */
  const sweepDeadNodes = async (): Promise<void> => {
    const dead = await db
      .selectFrom('stream_nodes')
      .select(['node_id', 'alive_at'])
      .where('alive_at', '<', clock.now() - NODE_DEAD_AFTER_MS)
      .execute();
    for (const node of dead) {
      // Claimed by deleting its record: of several nodes sweeping at once, one records and tells.
      const claimed = await db
        .deleteFrom('stream_nodes')
        .where('node_id', '=', node.node_id)
        .where('alive_at', '=', node.alive_at)
        .executeTakeFirst();
      if (claimed.numDeletedRows === 0n) continue;
      const aliveAt = Number(node.alive_at);
      const toys = await db
        .selectFrom('toy_presence')
        .innerJoin('devices', 'devices.id', 'toy_presence.toy_id')
        .select(['toy_presence.toy_id', 'devices.family_id'])
        .where('toy_presence.node_id', '=', node.node_id)
        .where('toy_presence.connected', '=', 1)
        .execute();
      if (toys.length === 0) continue;
      // Guarded by node and state: a toy that reconnected elsewhere meanwhile is untouched.
      await db
        .updateTable('toy_presence')
        .set({ connected: 0, last_seen_at: aliveAt })
        .where('node_id', '=', node.node_id)
        .where('connected', '=', 1)
        .execute();
      for (const toy of toys) {
        if (toy.family_id === null) continue;
        bus.publish(topics.family(toy.family_id), {
          type: 'presence',
          toyId: toy.toy_id,
          online: false,
          lastSeenAt: aliveAt,
        });
        onPresence?.(toy.toy_id, toy.family_id, false, aliveAt);
      }
    }
  };

  const tick = async (): Promise<void> => {
    if (stopped) return;
    await track(refresh());
    await track(sweepDeadNodes());
  };
  const timer = intervalMs > 0 ? setInterval(() => void tick(), intervalMs) : undefined;
  timer?.unref();

  /** A check-in: the stream opened (`connected`) or closed on this node. */
  const write = (toyId: string, connected: boolean, familyId: string | null, publish: boolean): void => {
    const now = clock.now();
    const run = async (): Promise<void> => {
      let changed: boolean;
      if (connected) {
        const row = { connected: 1, last_seen_at: now, node_id: nodeId };
        // Only a connect creates the row; a toy unpaired meanwhile (its row deleted) stays forgotten.
        const updated = await db
          .updateTable('toy_presence')
          .set(row)
          .where('toy_id', '=', toyId)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n)
          await db
            .insertInto('toy_presence')
            .values({ toy_id: toyId, ...row })
            .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
            .execute();
        changed = true;
      } else {
        // Only the node holding the stream closes it: a toy that reconnected to another node stays online.
        const updated = await db
          .updateTable('toy_presence')
          .set({ connected: 0, last_seen_at: now })
          .where('toy_id', '=', toyId)
          .where('node_id', '=', nodeId)
          .executeTakeFirst();
        changed = updated.numUpdatedRows > 0n;
      }
      if (publish && changed && familyId !== null) {
        bus.publish(topics.family(familyId), { type: 'presence', toyId, online: connected, lastSeenAt: now });
        onPresence?.(toyId, familyId, connected, now);
      }
    };
    const next = track((queues.get(toyId) ?? ready).then(run));
    queues.set(toyId, next);
    void next.then(() => {
      if (queues.get(toyId) === next) queues.delete(toyId);
    });
  };

  return {
    nodeId,
    connected(toyId, familyId) {
      const count = (sockets.get(toyId) ?? 0) + 1;
      sockets.set(toyId, count);
      write(toyId, true, familyId, count === 1);
    },
    disconnected(toyId, familyId) {
      const count = (sockets.get(toyId) ?? 1) - 1;
      if (count > 0) {
        sockets.set(toyId, count);
        return;
      }
      sockets.delete(toyId);
      write(toyId, false, familyId, true);
    },
    announce(toyId, familyId) {
      if ((sockets.get(toyId) ?? 0) > 0) write(toyId, true, familyId, true);
    },
    tick,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await this.settled();
      await db
        .deleteFrom('stream_nodes')
        .where('node_id', '=', nodeId)
        .execute()
        .catch((err: unknown) => {
          log.warn({ err }, 'presence: could not drop this node');
        });
    },
  };
}
