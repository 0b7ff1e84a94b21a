/**
 * Toy presence: whether a toy's stream is open now, and when it was last seen. The database holds it
 * (so every node answers the same); each node counts its own sockets per toy, refreshes `last_seen_at`
 * on every heartbeat, and publishes changes to the toy's family over the bus. A node that dies leaves
 * `connected = 1` behind, so a toy counts as online only while its heartbeat is recent.
 */
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';

export interface ToyPresence {
  online: boolean;
  /** Null: never connected. */
  lastSeenAt: number | null;
}

export interface PresenceTracker {
  connected(toyId: string, familyId: string | null): void;
  heartbeat(toyId: string): void;
  disconnected(toyId: string, familyId: string | null): void;
  /** Announces a toy already online to a family it just joined (pairing while connected). */
  announce(toyId: string, familyId: string): void;
}

/** Told when a toy's first socket opens or its last closes (the family activity log, audit/). */
export type PresenceListener = (toyId: string, familyId: string, online: boolean, at: number) => void;

/** The stream pings every socket this often; a toy's heartbeat is recorded at the same pace. */
export const PING_INTERVAL_MS = 25_000;

/** Online means an open socket with a heartbeat within two ping intervals (plus slack). */
export function isOnline(row: { connected: number; last_seen_at: number }, now: number): boolean {
  return row.connected === 1 && row.last_seen_at > now - 2 * PING_INTERVAL_MS - 5_000;
}

export async function readPresence(db: Db, toyIds: string[], now: number): Promise<Map<string, ToyPresence>> {
  const out = new Map<string, ToyPresence>();
  if (toyIds.length === 0) return out;
  const rows = await db
    .selectFrom('toy_presence')
    .select(['toy_id', 'connected', 'last_seen_at'])
    .where('toy_id', 'in', toyIds)
    .execute();
  for (const row of rows)
    out.set(row.toy_id, { online: isOnline(row, now), lastSeenAt: row.last_seen_at });
  return out;
}

export function createPresenceTracker({
  db,
  bus,
  clock,
  log,
  onPresence,
}: {
  db: Db;
  bus: Bus;
  clock: Clock;
  log: { warn: (obj: object, msg: string) => void };
  onPresence?: PresenceListener;
}): PresenceTracker {
  const sockets = new Map<string, number>();
  // Writes for one toy run in order, so a quick reconnect never ends "offline".
  const queues = new Map<string, Promise<void>>();

  const write = (toyId: string, connected: boolean, familyId: string | null, publish: boolean): void => {
    const now = clock.now();
    const run = async (): Promise<void> => {
      const row = { connected: connected ? 1 : 0, last_seen_at: now };
      // Only a connect creates the row; a toy unpaired meanwhile (its row deleted) stays forgotten.
      const updated = await db.updateTable('toy_presence').set(row).where('toy_id', '=', toyId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n && connected)
        await db
          .insertInto('toy_presence')
          .values({ toy_id: toyId, ...row })
          .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
          .execute();
      if (publish && familyId !== null) {
        bus.publish(topics.family(familyId), { type: 'presence', toyId, online: connected, lastSeenAt: now });
        onPresence?.(toyId, familyId, connected, now);
      }
    };
    const next = (queues.get(toyId) ?? Promise.resolve())
      .then(run)
      .catch((err: unknown) => {
        log.warn({ err }, 'presence: could not record');
      });
    queues.set(toyId, next);
    void next.then(() => {
      if (queues.get(toyId) === next) queues.delete(toyId);
    });
  };

  return {
    connected(toyId, familyId) {
      const count = (sockets.get(toyId) ?? 0) + 1;
      sockets.set(toyId, count);
      write(toyId, true, familyId, count === 1);
    },
    heartbeat(toyId) {
      if ((sockets.get(toyId) ?? 0) > 0) write(toyId, true, null, false);
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
  };
}
