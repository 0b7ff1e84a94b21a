/** TypeBox building blocks shared by the schemas of several capabilities: ids, protocol JSON, cursors. */
import type { EnvelopeWire, RosterWire } from '@burrow/protocol';
import { Type, type TUnsafe } from '@sinclair/typebox';

/** Unpadded base64url (RFC 4648 §5). */
export const Base64url = (opts: { bytes?: number; description?: string } = {}) => {
  const { bytes, description } = opts;
  // n bytes encode to ceil(4n/3) characters without padding.
  const len = bytes === undefined ? undefined : Math.ceil((bytes * 4) / 3);
  return Type.String({
    pattern: len === undefined ? '^[A-Za-z0-9_-]*$' : `^[A-Za-z0-9_-]{${len}}$`,
    ...(description === undefined ? {} : { description }),
  });
};

/** An id: 16 random bytes, base64url (22 characters). Also what the server's auth hooks check early. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{22}$';
export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });

export const DeviceId = Id('Device id: derived from the device signing key.');
export const FamilyId = Id('Family id.');
export const MessageId = Id('Message id.');
export const ChildId = Id('Child id.');
export const AccountId = Id('Account id.');

/**
 * Signed protocol JSON (docs/protocol.md): any object to this schema, checked by @burrow/protocol.
 * The static type is the protocol's wire type (`T`), so the client and server read it as such.
 */
export const ProtocolJson = <T = Record<string, unknown>>(description: string): TUnsafe<T> =>
  Type.Unsafe<T>(Type.Object({}, { additionalProperties: true, description }));

export const Roster = ProtocolJson<RosterWire>('A signed roster (docs/protocol.md §4).');
export const Envelope = ProtocolJson<EnvelopeWire>('A signed envelope (docs/protocol.md §6).');

/**
 * A list cursor: a sequence number, bounded to the integers every database column and JSON reader
 * holds exactly (`?after=1e20` is a 400, not a database error).
 */
export const Cursor = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Return items with seq greater than this.',
});

/** How many items one page of a cursor-ordered list holds. */
export const PageLimit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page.' });

/** A 204 answer. */
export const NoContent = Type.Null({ description: 'No content.' });

/** An opaque ciphertext blob (application/octet-stream), uploaded or downloaded as bytes. */
export const BinaryBody = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'Ciphertext blob.' });

/** `:familyId` — the params of every family-scoped route without a second id. */
export const FamilyParams = Type.Object({ familyId: FamilyId });
