/**
 * Stream tickets: a browser cannot put an Authorization header on a WebSocket handshake, so the toy
 * simulator trades its bearer token (over a normal POST) for a ticket and opens
 * `/v1/stream?device=<toyId>&ticket=<ticket>`. A ticket is 32 random bytes, valid for 30 seconds,
 * good for one handshake and bound to the toy that asked for it. Only its SHA-256 is stored, in the
 * database so that any server node can redeem it.
 */
import { randomBytes } from 'node:crypto';
import { hashToken, type ToyPrincipal } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { deviceById } from '../devices/store.js';
import { forbidden, unauthenticated } from '../errors/index.js';

export const TICKET_PREFIX = 'st_';
export const TICKET_TTL_MS = 30_000;

export interface StreamTickets {
  issue(toyId: string): Promise<{ ticket: string; expiresAt: number }>;
  /** Burns the ticket (whatever the outcome) and returns the toy it admits as `deviceId`. */
  redeem(ticket: string, deviceId: string | undefined): Promise<ToyPrincipal>;
}

export function createStreamTickets({ db, clock }: { db: Db; clock: Clock }): StreamTickets {
  return {
    async issue(toyId) {
      const now = clock.now();
      const ticket = TICKET_PREFIX + randomBytes(32).toString('base64url');
      const expiresAt = now + TICKET_TTL_MS;
      // Expired tickets of anyone are swept on the way; they were useless already.
      await db.deleteFrom('stream_tickets').where('expires_at', '<=', now).execute();
      await db
        .insertInto('stream_tickets')
        .values({ ticket_hash: hashToken(ticket), device_id: toyId, created_at: now, expires_at: expiresAt })
        .execute();
      return { ticket, expiresAt };
    },

    async redeem(ticket, deviceId) {
      const hash = hashToken(ticket);
      const row = await db
        .selectFrom('stream_tickets')
        .select(['device_id', 'expires_at'])
        .where('ticket_hash', '=', hash)
        .executeTakeFirst();
      // Single use: only the request that deletes the row may use it, even when two race.
      const burnt = await db.deleteFrom('stream_tickets').where('ticket_hash', '=', hash).executeTakeFirst();
      if (!row || burnt.numDeletedRows === 0n) throw unauthenticated('ticket_unknown', 'Unknown or already used stream ticket.');
      if (row.expires_at <= clock.now()) throw unauthenticated('ticket_expired', 'The stream ticket expired; ask for a new one.');
      if (deviceId !== row.device_id) throw forbidden('ticket_other_device', 'The stream ticket was issued to another device.');
      const device = await deviceById(db, row.device_id);
      const toy = device?.kind === 'toy' ? device : undefined;
      // A toy unpaired after the ticket was issued has no credentials any more.
      if (toy?.token_hash == null) throw unauthenticated('toy_token_unknown', 'Unknown toy.');
      return { kind: 'toy', toyId: toy.id, familyId: toy.family_id, childId: toy.child_id };
    },
  };
}
