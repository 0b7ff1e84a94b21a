/**
 * The bus only wakes sockets: the database is the source of truth, and a device that misses an event
 * catches up by cursor. So publishing never fails a request, and adapters swallow (and log) their own
 * delivery errors.
 */

/** Events pushed to WebSocket clients (docs/api.md, `stream`). */
export type StreamEvent =
  | { type: 'message'; seq: number }
  | { type: 'receipt'; messageId: string; deviceId: string; kind: 'delivered' | 'played' }
  | { type: 'roster'; familyId: string; version: number }
  | { type: 'pairing' }
  | { type: 'settings'; toyId: string };

export type Unsubscribe = () => void;

export interface Bus {
  publish(topic: string, event: StreamEvent): void;
  subscribe(topic: string, handler: (event: StreamEvent) => void): Unsubscribe;
}

/** Topic naming, in one place. */
export const topics = {
  device: (deviceId: string): string => `device:${deviceId}`,
  family: (familyId: string): string => `family:${familyId}`,
};
