/** The stream (GET /v1/stream, a WebSocket) and the tickets a browser toy opens it with (docs/api.md, "Stream"). */
import { Type, type Static } from '@sinclair/typebox';
import { DeviceId } from './primitives.js';

/** A stream ticket: `st_` and 32 random bytes, base64url. */
export const TICKET_PATTERN = '^st_[A-Za-z0-9_-]{43}$';

export const StreamQuery = Type.Object({
  device: Type.Optional(DeviceId),
  ticket: Type.Optional(
    Type.String({ pattern: TICKET_PATTERN, description: 'A stream ticket (createStreamTicket); single use.' }),
  ),
});
export type StreamQuery = Static<typeof StreamQuery>;
export const StreamTicketResponse = Type.Object({
  ticket: Type.String({ description: 'Opaque, single use, bound to this toy (`st_...`).' }),
  expiresAt: Type.Integer(),
});
export type StreamTicketResponse = Static<typeof StreamTicketResponse>;
