/**
 * The bus only wakes sockets: the database is the source of truth, and a device that misses an event
 * catches up by cursor. So publishing never fails a request, and adapters swallow (and log) their own
 * delivery errors.
 */

/** Events pushed to WebSocket clients (docs/api.md, `stream`). */
export type StreamEvent =
  | { type: 'message'; seq: number }
  | { type: 'receipt'; messageId: string; deviceId: string; kind: 'delivered' | 'played' | 'declined' }
  /** A message began or stopped waiting for a guardian's review (to the family's devices). */
  | { type: 'review'; familyId: string; messageId: string; state: 'waiting' | 'approved' | 'declined' }
  | { type: 'roster'; familyId: string; version: number }
  | { type: 'pairing' }
  | { type: 'settings'; toyId: string }
  /** A toy's stream opened or closed (to its family's devices). */
  | { type: 'presence'; toyId: string; online: boolean; lastSeenAt: number }
  /** A guardian unpaired this toy: its credentials are revoked (to the toy; its socket then closes). */
  | { type: 'unpaired' }
  /** A toy of the family was renamed or unpaired: family devices reload the toys list. */
  | { type: 'toys'; familyId: string }
  /** A message this device sent expired before every recipient fetched it (retention/; to the sender). */
  | { type: 'expired'; messageId: string }
  /** A message was deleted by its sender or a guardian (to its recipients and the family). */
  | { type: 'deleted'; messageId: string }
  /** A guardian kept or let go a favourite on a toy (favourites/; to the toy and the family). */
  | { type: 'favourite'; toyId: string }
  /** A child's profile was sealed again (to a device that joined): family devices reload the family. */
  | { type: 'children'; familyId: string };

export type Unsubscribe = () => void;

/** Whether the bus carries events between nodes now (/readyz says so; the in-process bus always does). */
export interface BusHealth {
  readonly ok: boolean;
  /** One line for operators: what is wrong and what it costs. */
  readonly detail: string;
}

export interface Bus {
  publish(topic: string, event: StreamEvent): void;
  subscribe(topic: string, handler: (event: StreamEvent) => void): Unsubscribe;
  /** Absent: always healthy (the in-process bus). */
  health?(): BusHealth;
}

/** Topic naming, in one place. */
export const topics = {
  device: (deviceId: string): string => `device:${deviceId}`,
  family: (familyId: string): string => `family:${familyId}`,
};
