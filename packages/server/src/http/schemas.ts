/** TypeBox building blocks shared by route schemas. */
import { Type } from '@sinclair/typebox';

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

/** An id: 16 random bytes, base64url (22 characters). */
export const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{22}$', description });

export const DeviceId = Id('Device id: derived from the device signing key.');
export const FamilyId = Id('Family id.');
export const MessageId = Id('Message id.');
export const ChildId = Id('Child id.');

/** Signed protocol JSON (docs/protocol.md); checked by @burrow/protocol, not by this schema. */
export const ProtocolJson = (description: string) =>
  Type.Object({}, { additionalProperties: true, description });

export const Roster = ProtocolJson('A signed roster (docs/protocol.md §4).');
export const Envelope = ProtocolJson('A signed envelope (docs/protocol.md §6).');

export const Cursor = Type.Integer({ minimum: 0, description: 'Return items with seq greater than this.' });

export const NoContent = Type.Null({ description: 'No content.' });
